import { describe, expect, it } from 'vitest';
import { busNames, InvalidSubjectTokenError, subjectToken } from './naming.js';

describe('busNames', () => {
  it('builds production stream names and subjects without a prefix', () => {
    const n = busNames();
    expect(n.streams).toEqual({ events: 'EVENTS', inbox: 'INBOX', dlq: 'DLQ', advisories: 'ADVISORIES' });
    expect(n.command('acme', 'conversation', 'PostMessage')).toBe('cmd.acme.conversation.PostMessage');
    expect(n.commands()).toBe('cmd.>');
    expect(n.commands('acme')).toBe('cmd.acme.>');
    expect(n.event('acme', 'conversation', 'c-42', 'MessagePosted')).toBe(
      'evt.acme.conversation.c-42.MessagePosted',
    );
    expect(n.events()).toBe('evt.>');
    expect(n.inbox('acme', 'telegram')).toBe('inbox.acme.telegram');
    expect(n.inboxes()).toBe('inbox.>');
    expect(n.signal('acme', 'c-42', 'typing')).toBe('sig.acme.conversation.c-42.typing');
    expect(n.signals('acme')).toBe('sig.acme.>');
    expect(n.deadLetter('EVENTS', 'connector-slack')).toBe('dlq.EVENTS.connector-slack');
    expect(n.deadLetters()).toBe('dlq.>');
    expect(n.deadLetters('EVENTS')).toBe('dlq.EVENTS.>');
    expect(n.deadLetters('EVENTS', 'dispatcher')).toBe('dlq.EVENTS.dispatcher');
  });

  it('prefixes every subject and stream with the namespace', () => {
    const n = busNames('t3fa9c01b2d');
    expect(n.namespace).toBe('t3fa9c01b2d');
    expect(n.streams).toEqual({
      events: 'T3FA9C01B2D_EVENTS',
      inbox: 'T3FA9C01B2D_INBOX',
      dlq: 'T3FA9C01B2D_DLQ',
      advisories: 'T3FA9C01B2D_ADVISORIES',
    });
    expect(n.command('acme', 'user', 'CreateUser')).toBe('t3fa9c01b2d.cmd.acme.user.CreateUser');
    expect(n.commands()).toBe('t3fa9c01b2d.cmd.>');
    expect(n.event('acme', 'user', 'u1', 'UserCreated')).toBe('t3fa9c01b2d.evt.acme.user.u1.UserCreated');
    expect(n.events()).toBe('t3fa9c01b2d.evt.>');
    expect(n.inbox('acme', 'sms')).toBe('t3fa9c01b2d.inbox.acme.sms');
    expect(n.signal('acme', 'c1', 'presence')).toBe('t3fa9c01b2d.sig.acme.conversation.c1.presence');
    expect(n.deadLetter('T3FA9C01B2D_INBOX', 'handler')).toBe('t3fa9c01b2d.dlq.T3FA9C01B2D_INBOX.handler');
    expect(n.deadLetters()).toBe('t3fa9c01b2d.dlq.>');
  });

  it.each([
    ['a dot', 'ac.me'],
    ['a star', 'ac*me'],
    ['a greater-than', 'acme>'],
    ['a lone star', '*'],
    ['a lone greater-than', '>'],
    ['a space', 'ac me'],
    ['a tab', 'acme\t'],
    ['a newline', 'ac\nme'],
    ['nothing', ''],
  ])('refuses a token containing %s', (_what, token) => {
    const n = busNames();
    expect(() => n.command(token, 'user', 'CreateUser')).toThrow(InvalidSubjectTokenError);
    expect(() => n.command('acme', token, 'CreateUser')).toThrow(InvalidSubjectTokenError);
    expect(() => n.command('acme', 'user', token)).toThrow(InvalidSubjectTokenError);
    expect(() => n.event('acme', 'user', token, 'UserCreated')).toThrow(InvalidSubjectTokenError);
    expect(() => n.inbox('acme', token)).toThrow(InvalidSubjectTokenError);
    expect(() => n.signal('acme', token, 'typing')).toThrow(InvalidSubjectTokenError);
    expect(() => n.deadLetter('EVENTS', token)).toThrow(InvalidSubjectTokenError);
    expect(() => n.events(token)).toThrow(InvalidSubjectTokenError);
    // '' is the production namespace (none), every other bad token is refused as a namespace too.
    if (token !== '') expect(() => busNames(token)).toThrow(InvalidSubjectTokenError);
  });

  it('names the offending role and value in the error', () => {
    expect(() => busNames().event('acme', 'user', 'u.1', 'UserCreated')).toThrow(/stream id "u\.1"/);
  });

  it('accepts tokens with dashes, colons, unicode and uppercase', () => {
    expect(subjectToken('id', 'user-1:x')).toBe('user-1:x');
    expect(subjectToken('id', 'Ünïcode')).toBe('Ünïcode');
  });

  it('refuses a namespace that cannot be part of a stream name', () => {
    expect(() => busNames('ns/1')).toThrow(InvalidSubjectTokenError);
  });
});
