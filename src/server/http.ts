/**
 * What both of ScaleLab's HTTP servers (`lab serve`, src/server/labServer.ts, and `serve`,
 * src/server/webServer.ts) do the same way: refuse a Host a browser should not be using (DNS
 * rebinding), refuse a malformed percent-escape as a bad request, and read a request body up to a
 * limit — reading an oversized one to its end before answering 413, so the client sees the status.
 */
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/** The names a browser on this machine uses for a loopback server. */
const loopbackNames = ['localhost', '127.0.0.1', '[::1]'];

/** Addresses that bind every interface: the server is then reached by whatever address the client used. */
const wildcardHosts = new Set(['0.0.0.0', '::', '[::]']);

/** `bindHost` as it appears in a Host header: an IPv6 address in brackets, names in lower case. */
function hostName(bindHost: string): string {
  const h = bindHost.toLowerCase();
  return isIP(h) === 6 ? `[${h}]` : h;
}

/** The name part of a Host header (`name`, `name:port`, `[v6]:port`), lower case; undefined when malformed. */
function headerName(header: string): string | undefined {
  const m = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::\d{1,5})?$/i.exec(header.trim());
  return m ? m[1].toLowerCase().replace(/\.$/, '') : undefined;
}

/**
 * Whether a request's Host header names this server. A DNS-rebinding page reaches a loopback server
 * under its own name (Host: evil.example), so only the loopback names are accepted — with any port,
 * since a development proxy such as Vite's forwards the browser's Host unchanged — and the address
 * given to --host when it is another. Bound to every interface (0.0.0.0, ::), the server also answers
 * any IP address: a browser sends an address as Host only when it was asked for that address, which
 * no rebinding page can arrange. A request without Host (HTTP/1.0, never a browser) is let through.
 */
export function hostAllowed(header: string | undefined, bindHost: string): boolean {
  if (header === undefined) return true;
  const name = headerName(header);
  if (name === undefined) return false;
  if (loopbackNames.includes(name) || name === hostName(bindHost)) return true;
  if (wildcardHosts.has(bindHost)) return isIP(name.replace(/^\[(.*)\]$/, '$1')) !== 0;
  return false;
}

/** The plain-text answer to a request whose Host is refused (421 Misdirected Request). */
export function misdirectedText(header: string | undefined, bindHost: string): string {
  const extra = loopbackNames.includes(hostName(bindHost))
    ? ''
    : `, ${hostName(bindHost)}${wildcardHosts.has(bindHost) ? ' (any IP address)' : ''}`;
  return `421 Misdirected Request: this server does not answer to the host name "${header ?? ''}" (it answers ${loopbackNames.join(', ')}${extra}; start it with --host NAME to add one)\n`;
}

/**
 * A percent-escape that does not decode (`%zz`, a cut-off `%E0%A4%A`) in the path or the query
 * of a request target, described for a 400 answer; undefined when every escape is sound.
 */
export function malformedEscape(target: string): string | undefined {
  const q = target.indexOf('?');
  const parts: [string, string][] = [['path', q >= 0 ? target.slice(0, q) : target]];
  if (q >= 0) for (const p of target.slice(q + 1).split('&')) parts.push(['query', p.replace(/\+/g, ' ')]);
  for (const [where, text] of parts) {
    try {
      decodeURIComponent(text);
    } catch {
      return `malformed URL: the ${where} "${text.length > 80 ? `${text.slice(0, 80)}…` : text}" has a percent-escape that does not decode (expected % and two hex digits, forming UTF-8)`;
    }
  }
  return undefined;
}

/** A request body over the limit; thrown after the body has been read to its end. */
export class BodyTooLarge extends Error {
  readonly status = 413;
  constructor(
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`request body too large: ${bytes} bytes (at most ${limit})`);
  }
}

/**
 * Read a request body, at most `limit` bytes of it. An oversized body (declared or streamed) is read
 * to its end and thrown away, then refused with BodyTooLarge: answering while the client is still
 * sending and closing the socket makes the kernel reset the connection, and the client sees a
 * reset instead of the 413. With `keep: false` nothing is buffered (the body is only drained).
 */
export function readBody(req: IncomingMessage, limit: number, { keep = true } = {}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = Number(req.headers['content-length'] ?? 0) > limit;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      if (keep && !over) chunks.push(chunk);
    });
    req.on('end', () => (over ? reject(new BodyTooLarge(size, limit)) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}
