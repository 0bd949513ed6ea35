import { describe, expect, it } from 'vitest';
import { aliasIdOf, userIdOfAlias } from './alias-ids.js';
import { broadcastContentHash, broadcastIdOf } from './broadcast-terms.js';

const userId = '7a91841c-67dc-e8b4-0c98-a4ea7df596da';

describe('alias ids', () => {
  it('are the 16 bytes of the user id in base64url, 22 characters, both ways', () => {
    const alias = aliasIdOf(userId);
    expect(alias).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(alias).toBe('epGEHGfc6LQMmKTqffWW2g');
    expect(userIdOfAlias(alias)).toBe(userId);
    expect(userIdOfAlias(aliasIdOf(userId.toUpperCase()))).toBe(userId);
  });

  it('read anything else as no user, without throwing', () => {
    for (const bad of [
      '',
      'abc',
      'epGEHGfc6LQMmKTqffWW2',
      'epGEHGfc6LQMmKTqffWW2gg',
      'epGEHGfc6LQMmKTqffWW2h',
      'epGEHGfc6LQMmKTqffWW+g',
      '../../etc/passwd/aaaaaa',
    ]) {
      expect(userIdOfAlias(bad), bad).toBeNull();
    }
    expect(userIdOfAlias(undefined as unknown as string)).toBeNull();
    expect(() => aliasIdOf('not-a-uuid')).toThrow(TypeError);
  });
});

describe('broadcast ids and content hashes', () => {
  const clientId = '0b5e1a3c-8d2f-4c47-9a61-2f1d7e9b3c50';

  it('give one broadcast per client and outbound message id', () => {
    expect(broadcastIdOf(clientId, 'LzIX47-iIDVpNmnbXqCYXg')).toBe(
      broadcastIdOf(clientId, 'LzIX47-iIDVpNmnbXqCYXg'),
    );
    expect(broadcastIdOf(clientId, 'LzIX47-iIDVpNmnbXqCYXg')).not.toBe(
      broadcastIdOf(clientId, 'LzIX47-iIDVpNmnbXqCYXh'),
    );
    expect(broadcastIdOf(clientId, 'a')).not.toBe(broadcastIdOf('9a4d0f1b-7c2e-4b36-8f50-1e0c6d8a2b3f', 'a'));
  });

  it('hash what makes two requests the same, whatever the key order', () => {
    const a = broadcastContentHash({
      channel: 'notifications',
      audience: { kind: 'topic' },
      content: { title: 'Hello there', link: { uri: 'https://x.example', text: 'Open' } },
    });
    const b = broadcastContentHash({
      audience: { kind: 'topic' },
      content: { link: { text: 'Open', uri: 'https://x.example' }, title: 'Hello there' },
      channel: 'notifications',
    });
    expect(a).toBe(b);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    const other = broadcastContentHash({
      channel: 'notifications',
      audience: { kind: 'topic' },
      content: { title: 'Hello there', body: 'More words', link: { uri: 'https://x.example', text: 'Open' } },
    });
    expect(other).not.toBe(a);
  });
});
