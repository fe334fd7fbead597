/** One log line per request, with the request, the status and the request id. */
import { Writable } from 'node:stream';
import Fastify from 'fastify';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { OneLineRequestLog } from './request-log.js';

describe('OneLineRequestLog', () => {
  it('writes one completed line per request, and the error of a failed one', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    let n = 0;
    const app = Fastify({
      loggerInstance: pino({ level: 'info' }, sink),
      logController: new OneLineRequestLog(),
      genReqId: () => `req-${++n}`,
    });
    app.get('/ok', async () => ({ ok: true }));
    app.get('/fails', async () => {
      throw new Error('boom');
    });
    try {
      await app.inject({ url: '/ok?x=1' });
      await app.inject({ url: '/fails' });
    } finally {
      await app.close();
    }
    const completed = lines.filter((l) => l.msg === 'request completed');
    expect(completed).toEqual([
      expect.objectContaining({
        reqId: 'req-1',
        req: expect.objectContaining({ method: 'GET', url: '/ok?x=1' }),
        res: { statusCode: 200 },
        responseTime: expect.any(Number),
      }),
      expect.objectContaining({ reqId: 'req-2', res: { statusCode: 500 } }),
    ]);
    expect(lines.filter((l) => l.msg === 'incoming request')).toEqual([]);
    expect(lines.find((l) => l.msg === 'boom')).toMatchObject({ reqId: 'req-2', err: { message: 'boom' } });
  });
});
