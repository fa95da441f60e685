import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Reads a whole request body as UTF-8; JSON-RPC bodies are small, so buffering them is fine.
 *
 * @example
 * const call = JSON.parse(await readBody(req));
 */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Writes one complete answer: status, `Content-Type`, any extra headers and the body.
 *
 * @example
 * send(res, 429, 'Too Many Requests', 'text/plain', { 'Retry-After': '1' });
 */
export function send(
  res: ServerResponse,
  status: number,
  body: string,
  contentType: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'Content-Type': contentType, ...headers });
  res.end(body);
}
