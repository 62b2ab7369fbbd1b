/**
 * What both of ScaleLab's HTTP servers (`lab serve`, src/server/labServer.ts, and `serve`,
 * src/server/webServer.ts) do the same way: refuse a Host a browser should not be using (DNS
 * rebinding), refuse a malformed percent-escape as a bad request, read a request body up to a
 * limit — reading an oversized one to its end before answering 413, so the client sees the status —
 * give a client a time to send its whole request (a client sending a byte a second holds a
 * connection for that long at most, never the server), and answer what Node's HTTP parser refuses
 * as JSON like every other error, and listen on a port (0: any free one) saying which it got.
 */
import type { IncomingMessage, Server } from 'node:http';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';

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

/**
 * Why a request whose Host is refused is answered 421 (Misdirected Request): the message of the server's
 * JSON error, as every other error of its API is (the web server's `{error}`, the lab server's `{detail}`).
 */
export function misdirectedMessage(header: string | undefined, bindHost: string): string {
  const extra = loopbackNames.includes(hostName(bindHost))
    ? ''
    : `, ${hostName(bindHost)}${wildcardHosts.has(bindHost) ? ' (any IP address)' : ''}`;
  return `misdirected request: this server does not answer to the host name "${header ?? ''}" (it answers ${loopbackNames.join(', ')}${extra}; start it with --host NAME to add one)`;
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
    // The client gone (or timed out) before the end: settled, so nothing waits on it for ever.
    req.on('close', () => {
      if (!req.complete) reject(new Error('the client closed the connection before sending the whole body'));
    });
  });
}

/**
 * How long a client may take to send a whole request, headers and body, before it is answered 408
 * and its connection closed. Node's own default is 5 minutes: a slow client (a byte a second) held a
 * connection, and its memory, that long. A 10 MiB body on a slow uplink of 2 Mbit/s takes 40 s.
 */
export const requestTimeoutMs = 60_000;

/** The createServer options that enforce `timeoutMs` (Node checks at an interval, so a quarter of it). */
export function requestTimeouts(timeoutMs = requestTimeoutMs) {
  return {
    requestTimeout: timeoutMs,
    headersTimeout: timeoutMs,
    connectionsCheckingInterval: Math.min(30_000, Math.max(25, Math.round(timeoutMs / 4))),
  };
}

/**
 * A server's 'clientError' listener: what Node's HTTP parser refuses before there is a request to
 * answer (a malformed request line or header, headers over Node's 16 KiB, a request not received
 * whole in time) gets a JSON answer, shaped by `body` as the server's other errors are, instead of
 * Node's bare status line; then the connection is closed. A client that has gone is let go.
 */
export function clientErrorAnswer(body: (status: number, message: string) => unknown, timeoutMs = requestTimeoutMs) {
  return (e: Error & { code?: string; reason?: string }, socket: Duplex): void => {
    const current = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (e.code === 'ECONNRESET' || !socket.writable || current?.headersSent) return void socket.destroy();
    const [status, title, message] =
      e.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [
            408,
            'Request Timeout',
            `request timeout: the request (its headers and body) did not arrive whole within ${timeoutMs / 1000} s; the connection is closed, send it again`,
          ]
        : e.code === 'HPE_HEADER_OVERFLOW'
          ? [431, 'Request Header Fields Too Large', 'request headers too large: at most 16 KiB of them']
          : [400, 'Bad Request', `malformed HTTP request: ${e.reason ?? e.message}`.replace(/\s+/g, ' ')];
    const text = JSON.stringify(body(status, message));
    socket.end(
      `HTTP/1.1 ${status} ${title}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
    );
    // A client that neither reads nor closes must not keep the socket: let it go shortly after.
    setTimeout(() => socket.destroy(), 1000).unref();
  };
}

/**
 * Start `server` listening on host:port; resolves with the port bound (the one the system chose for
 * port 0), rejects with the listen error (EADDRINUSE, EACCES …) instead of throwing it as an event.
 */
export function listenOn(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const a = server.address();
      resolve(typeof a === 'object' && a ? a.port : port);
    });
  });
}
