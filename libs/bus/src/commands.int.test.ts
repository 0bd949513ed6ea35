import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CommandEnvelope, commandEnvelope, encodeJson } from './envelope.js';
import { gate, openTestBus, type TestBus } from './test-support.js';

describe('command request/reply', () => {
  let t: TestBus;
  beforeEach(async () => {
    t = await openTestBus('commands-test');
  });
  afterEach(async () => {
    await t.close();
  });

  const envelope = (type: string, payload: unknown): CommandEnvelope =>
    commandEnvelope({ type, tenant: 'acme', payload, metadata: { actor: 'user-1' } });

  it('returns the handler result with status ok, the envelope arriving intact', async () => {
    const { bus } = t;
    const subject = bus.names.command('acme', 'conversation', 'PostMessage');
    const seen: CommandEnvelope[] = [];
    bus.serve<{ text: string }, { echoed: string }>(subject, { queue: 'command-handler' }, async (env) => {
      seen.push(env);
      return { status: 'ok', result: { echoed: env.payload.text } };
    });
    const sent = envelope('PostMessage', { text: 'hello' });
    const reply = await bus.request<{ echoed: string }>(subject, sent, { timeoutMs: 2_000 });
    expect(reply).toEqual({ status: 'ok', result: { echoed: 'hello' } });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      commandId: sent.commandId,
      type: 'PostMessage',
      tenant: 'acme',
      payload: { text: 'hello' },
      metadata: { correlationId: sent.commandId, actor: 'user-1' },
    });
  });

  it('passes a rejection through unchanged', async () => {
    const { bus } = t;
    const subject = bus.names.command('acme', 'user', 'CreateUser');
    bus.serve(subject, { queue: 'command-handler' }, async () => ({
      status: 'rejected',
      code: 'email_taken',
      message: 'that e-mail is in use',
      details: { field: 'email' },
    }));
    const reply = await bus.request(subject, envelope('CreateUser', {}), { timeoutMs: 2_000 });
    expect(reply).toEqual({
      status: 'rejected',
      code: 'email_taken',
      message: 'that e-mail is in use',
      details: { field: 'email' },
    });
  });

  it('answers unavailable when no service serves the subject', async () => {
    const { bus } = t;
    const subject = bus.names.command('acme', 'user', 'Nobody');
    const started = Date.now();
    const reply = await bus.request(subject, envelope('Nobody', {}), { timeoutMs: 5_000 });
    expect(reply.status).toBe('unavailable');
    expect(reply).toMatchObject({ message: expect.stringContaining('no service') });
    // No responders is known at once, not after the timeout.
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('answers unavailable, saying it timed out, when the handler is too slow', async () => {
    const { bus } = t;
    const subject = bus.names.command('acme', 'user', 'Slow');
    const release = gate();
    bus.serve(subject, { queue: 'command-handler' }, async () => {
      await release.promise;
      return { status: 'ok', result: null };
    });
    const reply = await bus.request(subject, envelope('Slow', {}), { timeoutMs: 200 });
    release.open();
    expect(reply.status).toBe('unavailable');
    expect(reply).toMatchObject({ message: expect.stringMatching(/timed out after 200 ms/) });
  });

  it('answers each request exactly once across a queue group of two responders', async () => {
    const { bus } = t;
    const other = await t.connectAnother('commands-test-replica');
    const subject = bus.names.command('acme', 'conversation', 'Rename');
    const handledBy = new Map<string, string[]>();
    const serveAs = (name: string, b: typeof bus) =>
      b.serve(subject, { queue: 'command-handler' }, async (env) => {
        handledBy.set(env.commandId, [...(handledBy.get(env.commandId) ?? []), name]);
        return { status: 'ok', result: name };
      });
    serveAs('a', bus);
    serveAs('b', other);
    await other.nc.flush();

    const envelopes = Array.from({ length: 40 }, (_, i) => envelope('Rename', { i }));
    const replies = await Promise.all(
      envelopes.map((e) => bus.request<string>(subject, e, { timeoutMs: 2_000 })),
    );

    expect(replies.every((r) => r.status === 'ok')).toBe(true);
    for (const e of envelopes) expect(handledBy.get(e.commandId)).toHaveLength(1);
    const byResponder = [...handledBy.values()].flat();
    expect(byResponder).toHaveLength(40);
    // Both members took part (the chance that one of them gets all 40 is 2^-39).
    expect(new Set(byResponder)).toEqual(new Set(['a', 'b']));
  });

  it('turns a handler exception into rejected/internal and keeps serving', async () => {
    const { bus } = t;
    const subject = bus.names.command('acme', 'user', 'Flaky');
    const errors: unknown[] = [];
    let calls = 0;
    bus.serve(subject, { queue: 'command-handler', onError: (err) => errors.push(err) }, async () => {
      calls++;
      if (calls === 1) throw new Error('database password is hunter2');
      return { status: 'ok', result: calls };
    });
    const first = await bus.request(subject, envelope('Flaky', {}), { timeoutMs: 2_000 });
    expect(first).toMatchObject({ status: 'rejected', code: 'internal' });
    // The cause is logged, not sent to the caller.
    expect(JSON.stringify(first)).not.toContain('hunter2');
    expect(errors).toHaveLength(1);
    const second = await bus.request(subject, envelope('Flaky', {}), { timeoutMs: 2_000 });
    expect(second).toEqual({ status: 'ok', result: 2 });
  });

  it('rejects a malformed envelope without calling the handler', async () => {
    const { bus } = t;
    const subject = bus.names.command('acme', 'user', 'Strict');
    let called = false;
    bus.serve(subject, { queue: 'command-handler' }, async () => {
      called = true;
      return { status: 'ok', result: null };
    });
    const raw = await bus.nc.request(subject, encodeJson({ type: 'Strict' }), { timeout: 2_000 });
    expect(raw.json()).toMatchObject({ status: 'rejected', code: 'malformed_command' });
    expect(called).toBe(false);
  });

  it('stop() lets the in-flight handler answer before it resolves', async () => {
    const { bus } = t;
    const subject = bus.names.command('acme', 'user', 'Long');
    const started = gate();
    const release = gate();
    const events: string[] = [];
    const responder = bus.serve(subject, { queue: 'command-handler' }, async () => {
      started.open();
      await release.promise;
      events.push('handler finished');
      return { status: 'ok', result: 'late' };
    });
    const pending = bus.request(subject, envelope('Long', {}), { timeoutMs: 5_000 });
    await started.promise;
    const stopped = responder.stop().then(() => events.push('stopped'));
    // Simulated work still going on when stop() is called.
    setTimeout(() => release.open(), 200);
    await stopped;
    expect(events).toEqual(['handler finished', 'stopped']);
    expect(await pending).toEqual({ status: 'ok', result: 'late' });
    // Stopped: the subject has no responder any more.
    const after = await bus.request(subject, envelope('Long', {}), { timeoutMs: 2_000 });
    expect(after.status).toBe('unavailable');
  });
});
