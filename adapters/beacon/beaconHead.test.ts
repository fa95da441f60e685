import { describe, expect, test } from 'vitest';
import { BeaconDataError, parseHeadEvent, parseHeadHeader } from './beaconHead.js';

const root = (byte: string) => `0x${byte.repeat(64)}`;

describe('parseHeadEvent', () => {
  const event = {
    slot: '97',
    block: root('A'),
    state: root('b'),
    epoch_transition: false,
    previous_duty_dependent_root: root('c'),
    current_duty_dependent_root: root('d'),
    execution_optimistic: true,
  };

  test('reads a head event, with roots in lower case', () => {
    expect(parseHeadEvent(JSON.stringify(event))).toEqual({
      slot: 97,
      block: root('a'),
      state: root('b'),
      epochTransition: false,
      executionOptimistic: true,
    });
  });

  test('treats flags older nodes omit as false', () => {
    const { epoch_transition: _, execution_optimistic: __, ...old } = event;
    expect(parseHeadEvent(JSON.stringify(old))).toMatchObject({
      epochTransition: false,
      executionOptimistic: false,
    });
  });

  test.each([
    ['not JSON', '{"slot":', /not JSON/],
    ['not an object', '[]', /not an object/],
    ['a missing block', JSON.stringify({ ...event, block: undefined }), /block is not a 32-byte hex root/],
    ['a short root', JSON.stringify({ ...event, state: '0x1234' }), /state is not a 32-byte hex root/],
    ['a negative slot', JSON.stringify({ ...event, slot: '-1' }), /slot is not a whole number/],
    ['a huge slot', JSON.stringify({ ...event, slot: '99999999999999999999' }), /slot is not a whole number/],
    ['a string flag', JSON.stringify({ ...event, execution_optimistic: 'yes' }), /is not a boolean/],
  ])('refuses %s', (_, data, message) => {
    expect(() => parseHeadEvent(data)).toThrow(BeaconDataError);
    expect(() => parseHeadEvent(data)).toThrow(message);
  });
});

describe('parseHeadHeader', () => {
  const answer = (slot: string) => ({
    execution_optimistic: false,
    finalized: false,
    data: {
      root: root('1'),
      canonical: true,
      header: {
        message: {
          slot,
          proposer_index: '3',
          parent_root: root('2'),
          state_root: root('3'),
          body_root: root('4'),
        },
      },
    },
  });

  test('reads /eth/v1/beacon/headers/head; the epoch transition follows from the slot', () => {
    expect(parseHeadHeader(answer('64'), 32)).toEqual({
      slot: 64,
      block: root('1'),
      state: root('3'),
      epochTransition: true,
      executionOptimistic: false,
    });
    expect(parseHeadHeader(answer('65'), 32).epochTransition).toBe(false);
  });

  test('refuses an answer without a header', () => {
    expect(() => parseHeadHeader({ data: { root: root('1') } }, 32)).toThrow(/header is not an object/);
  });
});
