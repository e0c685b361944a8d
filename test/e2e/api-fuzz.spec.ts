import Ajv from 'ajv';
import * as fc from 'fast-check';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { ADMIN_TOKEN, startTestApp, TestApp } from '../support/app';
import { ENGINES } from '../support/databases';

/**
 * Every route of the OpenAPI document, fed generated and hostile input: no 5xx, and every error in
 * the envelope the document declares. Fixed seed, bounded runs per route.
 */
const SEED = 1515;
const RUNS_PER_ROUTE = 80;
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

type Schema = { $ref?: string; type?: string; format?: string; enum?: unknown[]; items?: Schema; properties?: Record<string, Schema> };
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  schema?: Schema;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
}
interface OpenApiDoc {
  paths: Record<string, Partial<Record<(typeof METHODS)[number], Operation>>>;
  components: { schemas: Record<string, Schema> };
}
interface Call {
  method: (typeof METHODS)[number];
  path: string;
  query: Record<string, string>;
  body?: unknown;
  admin: boolean;
}

/** Strings that have broken servers: NUL bytes, numbers past every range, quotes, long and non-ASCII text. */
const hostile = fc.oneof(
  fc.string({ unit: 'binary-ascii', maxLength: 20 }),
  fc.constantFrom('\u0000', 'a\u0000b', '1e20', '99999999999999999999', '-1', '2147483648', '1.5', 'NaN', ' ', '%', '../..', "'; select 1; --", 'é漢字', 'x'.repeat(600)),
);
const hugeNumber = fc.constantFrom(1e20, -1e20, 2 ** 31, 2 ** 63, -1, 1.5, Number.MAX_SAFE_INTEGER);

/** A document nested `levels` deep, built as text (JSON.stringify would recurse). */
function nested(levels: number, inner = '1'): string {
  return '['.repeat(levels) + inner + ']'.repeat(levels);
}

describe.each(ENGINES)('API fuzz on %s', (engine) => {
  let t: TestApp;
  let http: ReturnType<typeof request>;
  let doc: OpenApiDoc;
  let isEnvelope: (body: unknown) => boolean;
  let tournamentId: string;
  let port: number;

  beforeAll(async () => {
    t = await startTestApp(engine);
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as AddressInfo).port;
    http = request(t.app.getHttpServer());
    tournamentId = (await http.post('/api/tournaments').set('authorization', `Bearer ${ADMIN_TOKEN}`).send({ type: 'text' })).body.id;
    doc = (await http.get('/docs-json')).body;
    const ajv = new Ajv({ strict: false });
    isEnvelope = ajv.compile(doc.components.schemas.ErrorBody);
  });

  afterAll(async () => {
    await t?.close();
  });

  const resolve = (s: Schema): Schema => (s.$ref ? resolve(doc.components.schemas[s.$ref.split('/').pop()!]) : s);

  /** Values the schema allows, mixed with values it does not. */
  function valueOf(raw: Schema, depth = 0): fc.Arbitrary<unknown> {
    const s = resolve(raw);
    if (s.enum) return fc.oneof(fc.constantFrom(...s.enum), hostile);
    if (s.format === 'uuid') return fc.oneof(fc.uuid(), fc.constant(tournamentId), hostile);
    switch (s.type) {
      case 'integer':
      case 'number':
        return fc.oneof(fc.integer({ min: -5, max: 300 }), hugeNumber, hostile);
      case 'boolean':
        return fc.oneof(fc.boolean(), hostile);
      case 'string':
        return fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), hostile);
      case 'array':
        return depth > 3 ? fc.constant([]) : fc.array(valueOf(s.items ?? {}, depth + 1), { maxLength: 3 });
      case 'object':
        if (s.properties && depth <= 3) {
          const fields = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, valueOf(v, depth + 1)]));
          return fc.oneof(fc.record(fields, { requiredKeys: [] }), fc.jsonValue({ maxDepth: 3 }));
        }
        return fc.jsonValue({ maxDepth: 3 });
      default:
        return fc.jsonValue({ maxDepth: 3 });
    }
  }

  function callsFor(path: string, method: Call['method'], op: Operation): fc.Arbitrary<Call> {
    const params = op.parameters ?? [];
    const pathParams = params.filter((p) => p.in === 'path');
    const queryParams = params.filter((p) => p.in === 'query');
    const pathArb = fc.record(Object.fromEntries(pathParams.map((p) => [p.name, valueOf(p.schema ?? {})])));
    const queryArb = fc.record(Object.fromEntries(queryParams.map((p) => [p.name, valueOf(p.schema ?? {}).map(String)])), { requiredKeys: [] });
    const bodySchema = op.requestBody?.content['application/json']?.schema;
    const bodyArb = bodySchema ? fc.option(valueOf(bodySchema), { nil: undefined }) : fc.constant(undefined);
    return fc.record({ pathValues: pathArb, query: queryArb, body: bodyArb, admin: fc.boolean() }).map(({ pathValues, query, body, admin }) => ({
      method,
      path: path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String(pathValues[name]))),
      query: query as Record<string, string>,
      body,
      admin,
    }));
  }

  async function send(call: Call, rawBody?: string, contentType = 'application/json'): Promise<request.Response> {
    let req = http[call.method](call.path).query(call.query);
    if (call.admin) req = req.set('authorization', `Bearer ${ADMIN_TOKEN}`);
    const body = rawBody ?? (call.body === undefined ? undefined : JSON.stringify(call.body));
    return body === undefined ? req : req.set('content-type', contentType).send(body);
  }

  /** No 5xx; an error is the documented envelope with its own status. */
  function expectAnsweredWell(call: Call, res: request.Response): void {
    const what = `${call.method.toUpperCase()} ${call.path} ${JSON.stringify(call.query)} body=${JSON.stringify(call.body)?.slice(0, 200)}`;
    if (res.status >= 500) throw new Error(`${what} answered ${res.status}: ${res.text.slice(0, 300)}`);
    if (res.status >= 400 && !(isEnvelope(res.body) && res.body.statusCode === res.status && /json/.test(res.headers['content-type'] ?? ''))) {
      throw new Error(`${what} answered ${res.status} outside the envelope: ${res.text.slice(0, 300)}`);
    }
  }

  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, item]) =>
      METHODS.filter((m) => item[m] && !path.startsWith('/docs')).map((m) => ({ path, method: m, op: item[m]! })),
    );

  it('documents the error envelope once and refers every operation to it', () => {
    expect(doc.components.schemas.ErrorBody).toMatchObject({ required: ['statusCode', 'code', 'message', 'details'] });
    const ops = operations();
    expect(ops.length).toBeGreaterThanOrEqual(15);
    for (const { op } of ops) expect(op.responses.default.content?.['application/json'].schema).toEqual({ $ref: '#/components/schemas/ErrorBody' });
  });

  it('answers every route without a 5xx, every error in the envelope (fixed seed)', async () => {
    // A 200 event stream never ends, so it is not awaited here: test/integration/events.spec.ts checks its refusals.
    for (const { path, method, op } of operations().filter(({ op }) => !op.responses['200']?.content?.['text/event-stream'])) {
      await fc.assert(
        fc.asyncProperty(callsFor(path, method, op), async (call) => expectAnsweredWell(call, await send(call))),
        { seed: SEED, numRuns: RUNS_PER_ROUTE },
      );
    }
  });

  it('refuses offsets past the database range on every paginated route with a 400 naming offset', async () => {
    const paginated = operations().filter(({ op }) => op.parameters?.some((p) => p.in === 'query' && p.name === 'offset'));
    expect(paginated.map((p) => p.path)).toEqual(expect.arrayContaining(['/api/tournaments', '/api/tournaments/{id}/entrants', '/api/tournaments/{id}/runs']));
    for (const { path, method } of paginated) {
      for (const offset of ['1e20', '99999999999999999999', '9223372036854775808', '2147483648']) {
        const call: Call = { method, path: path.replace('{id}', tournamentId), query: { offset }, admin: false };
        const res = await send(call);
        expectAnsweredWell(call, res);
        expect(res.status).toBe(400);
        expect(res.body.details.fields).toContain('offset');
      }
    }
    // A number no DTO bounds (a path parameter parsed by ParseIntPipe) is refused by the database: still a 400.
    const sequence = await http.get('/api/audit/bundles/99999999999');
    expect(sequence.status).toBe(400);
    expect(sequence.body).toMatchObject({ code: 'INVALID_VALUE', details: { sqlState: '22003' } });
  });

  it('refuses NUL bytes in query parameters and body fields with a 400 naming the field', async () => {
    const query = await send({ method: 'get', path: '/api/tournaments', query: { type: '\u0000' }, admin: false });
    expect(query.status).toBe(400);
    expect(query.body).toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: ['type'] } });
    const runs = await send({ method: 'get', path: `/api/tournaments/${tournamentId}/runs`, query: { state: 'a\u0000' }, admin: false });
    expect(runs.status).toBe(400);
    const cancel = await send({ method: 'post', path: `/api/tournaments/${tournamentId}/cancel`, query: {}, body: { reason: 'done\u0000now' }, admin: true });
    expect(cancel.status).toBe(400);
    expect(cancel.body).toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: ['reason'] } });
    expect(cancel.body.message).toMatch(/NUL/);
    const audit = await send({ method: 'get', path: '/api/audit/bundles', query: { days: '7\u0000' }, admin: false });
    expect(audit.status).toBe(400);
  });

  it('refuses bodies nested 10,000 levels deep (under the size limit) on every route that takes a body', async () => {
    const withBody = operations().filter(({ op }) => op.requestBody);
    expect(withBody.length).toBeGreaterThanOrEqual(3);
    for (const { path, method } of withBody) {
      for (const raw of [nested(10_000), `{"reason":${nested(10_000)}}`, `{"type":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`]) {
        expect(Buffer.byteLength(raw)).toBeLessThan(64 * 1024);
        const call: Call = { method, path: path.replace('{id}', tournamentId), query: {}, admin: true };
        const res = await send(call, raw);
        expectAnsweredWell(call, res);
        expect(res.status).toBe(400);
      }
    }
  });

  it('answers unknown routes, 401, 413, 415 and malformed JSON in the envelope', async () => {
    const cases: Array<[Call, string | undefined, string | undefined, number]> = [
      [{ method: 'get', path: '/api/nope', query: {}, admin: false }, undefined, undefined, 404],
      [{ method: 'delete', path: '/api/tournaments', query: {}, admin: false }, undefined, undefined, 404],
      [{ method: 'post', path: '/api/tournaments', query: {}, body: { type: 'text' }, admin: false }, undefined, undefined, 401],
      [{ method: 'post', path: '/api/submissions', query: {}, admin: false }, JSON.stringify({ pad: 'x'.repeat(100_000) }), undefined, 413],
      [{ method: 'post', path: '/api/submissions', query: {}, admin: false }, 'hotkey=x', 'text/plain', 415],
      [{ method: 'post', path: '/api/submissions', query: {}, admin: false }, '{}', 'application/json; charset=latin-9', 415],
      [{ method: 'post', path: '/api/submissions', query: {}, admin: false }, '{"hotkey": ', undefined, 400],
    ];
    for (const [call, raw, type, status] of cases) {
      const res = await send(call, raw, type);
      expectAnsweredWell(call, res);
      expect(res.status).toBe(status);
    }
  });

  /** Bytes on a raw socket: what Node's HTTP parser refuses before any route sees it. */
  function raw(bytes: string): Promise<{ status: number; body: unknown }> {
    return new Promise((done, fail) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.end(bytes));
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString('latin1')));
      socket.on('error', fail);
      socket.on('close', () => {
        const [head, body] = text.split('\r\n\r\n');
        done({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]), body: body ? JSON.parse(body) : undefined });
      });
    });
  }

  it('answers requests the HTTP parser refuses with a JSON 400 or 431', async () => {
    const nulHeader = await raw('GET /health HTTP/1.1\r\nHost: x\r\nX-Test: a\u0000b\r\n\r\n');
    expect(nulHeader.status).toBe(400);
    expect(isEnvelope(nulHeader.body)).toBe(true);
    const nulPath = await raw('GET /api/tournaments/\u0000 HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(nulPath.status).toBe(400);
    expect(isEnvelope(nulPath.body)).toBe(true);
    const longUrl = await raw(`GET /api/tournaments?type=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(longUrl).toMatchObject({ status: 431, body: { statusCode: 431, code: 'HEADERS_TOO_LARGE' } });
    const longHeader = await raw(`GET /health HTTP/1.1\r\nHost: x\r\nX-Pad: ${'b'.repeat(20_000)}\r\n\r\n`);
    expect(longHeader.status).toBe(431);
    expect(isEnvelope(longHeader.body)).toBe(true);
  });
});
