import { describe, expect, it } from 'vitest';
import { validatePayload } from './payloads.js';

const card = {
  type: 'card',
  title: 'Shoes',
  subtitle: 'Size 42',
  image: 'https://example.com/shoe.png',
  actions: [
    { action: 'Say something', title: 'Tell me more', text: 'more' },
    { action: 'Open URL', title: 'Buy', url: 'https://example.com/buy' },
    { action: 'Postback', title: 'Keep', payload: 'KEEP_SHOE' },
  ],
};

const validByType: Record<string, object[]> = {
  text: [
    { type: 'text', text: 'hello' },
    { type: 'text', text: '**bold**', markdown: true },
  ],
  image: [
    { type: 'image', image: 'https://example.com/a.png' },
    { type: 'image', image: 'data:image/png;base64,AA==', title: 'A' },
  ],
  audio: [{ type: 'audio', audio: 'https://example.com/a.mp3', title: 'Song' }],
  voice: [{ type: 'voice', audio: 'https://example.com/note.ogg' }],
  video: [{ type: 'video', video: 'https://example.com/a.mp4' }],
  file: [{ type: 'file', file: 'https://example.com/a.pdf', title: 'Invoice' }],
  location: [
    { type: 'location', latitude: 45.5, longitude: -73.56 },
    { type: 'location', latitude: -90, longitude: 180, address: 'Pole', title: 'South' },
  ],
  card: [card, { type: 'card', title: 'No buttons', actions: [] }],
  carousel: [
    { type: 'carousel', items: [card, { title: 'Untyped item', actions: [] }] },
    { type: 'carousel', items: [] },
  ],
  'single-choice': [
    {
      type: 'single-choice',
      text: 'Pick one',
      choices: [
        { title: 'Yes', value: 'y' },
        { title: 'No', value: 'n' },
      ],
    },
  ],
  dropdown: [{ type: 'dropdown', message: 'Choose', options: [{ label: 'Red', value: 'red' }] }],
};

const invalidByType: Record<string, { payload: object; path: string }[]> = {
  text: [
    { payload: { type: 'text' }, path: '' },
    { payload: { type: 'text', text: 42 }, path: '/text' },
    { payload: { type: 'text', text: 'a', markdown: 'yes' }, path: '/markdown' },
  ],
  image: [
    { payload: { type: 'image', url: 'https://example.com/a.png' }, path: '' },
    { payload: { type: 'image', image: '' }, path: '/image' },
    { payload: { type: 'image', image: 'https://example.com/a.png', title: 3 }, path: '/title' },
  ],
  audio: [{ payload: { type: 'audio', audio: null }, path: '/audio' }],
  voice: [{ payload: { type: 'voice' }, path: '' }],
  video: [{ payload: { type: 'video', video: ['x'] }, path: '/video' }],
  file: [{ payload: { type: 'file', title: 'no file' }, path: '' }],
  location: [
    { payload: { type: 'location', latitude: '45', longitude: 3 }, path: '/latitude' },
    { payload: { type: 'location', latitude: 91, longitude: 3 }, path: '/latitude' },
    { payload: { type: 'location', latitude: 1, longitude: -181 }, path: '/longitude' },
  ],
  card: [
    { payload: { type: 'card', title: 'No actions' }, path: '' },
    { payload: { ...card, actions: [{ action: 'Open URL', title: 'Buy' }] }, path: '/actions/0' },
    {
      payload: { ...card, actions: [{ action: 'Dance', title: 'x', text: 'y' }] },
      path: '/actions/0/action',
    },
  ],
  carousel: [
    { payload: { type: 'carousel' }, path: '' },
    { payload: { type: 'carousel', items: [{ title: 'No actions' }] }, path: '/items/0' },
    { payload: { type: 'carousel', items: [{ ...card, type: 'text' }] }, path: '/items/0/type' },
  ],
  'single-choice': [
    {
      payload: { type: 'single-choice', text: 'Pick', choices: [{ label: 'Yes', value: 'y' }] },
      path: '/choices/0',
    },
    { payload: { type: 'single-choice', choices: [] }, path: '' },
  ],
  dropdown: [
    { payload: { type: 'dropdown', text: 'Choose', options: [] }, path: '' },
    { payload: { type: 'dropdown', message: 'Choose', options: [{ label: 'Red' }] }, path: '/options/0' },
  ],
};

describe('validatePayload', () => {
  it('covers every known type in these tests', () => {
    expect(Object.keys(invalidByType).sort()).toEqual(Object.keys(validByType).sort());
  });

  for (const [type, payloads] of Object.entries(validByType)) {
    it(`accepts a well-formed ${type} as known`, () => {
      for (const payload of payloads) expect(validatePayload(payload)).toEqual({ kind: 'known', type });
    });
  }

  for (const [type, cases] of Object.entries(invalidByType)) {
    it(`refuses a ${type} with a wrong shape, naming the field`, () => {
      for (const { payload, path } of cases) {
        const result = validatePayload(payload);
        expect(result.kind, JSON.stringify(payload)).toBe('invalid');
        if (result.kind !== 'invalid') return;
        expect(result.issues.length).toBeGreaterThan(0);
        expect(result.issues.map((issue) => issue.path)).toContain(path);
      }
    });
  }

  it('keeps extra fields of a known type (clients attach their own metadata)', () => {
    expect(validatePayload({ type: 'text', text: 'hi', metadata: { campaign: 7 } })).toEqual({
      kind: 'known',
      type: 'text',
    });
  });

  it('accepts a type it does not know, flagged as unknown, whatever its fields', () => {
    expect(validatePayload({ type: 'quick_reply', text: 'Yes', payload: 'YES' })).toEqual({
      kind: 'unknown',
      type: 'quick_reply',
    });
    expect(validatePayload({ type: 'my-widget', anything: [1, { deep: true }] })).toEqual({
      kind: 'unknown',
      type: 'my-widget',
    });
  });

  it('does not take inherited object keys for known types', () => {
    expect(validatePayload({ type: 'toString' })).toEqual({ kind: 'unknown', type: 'toString' });
    expect(validatePayload({ type: '__proto__' })).toEqual({ kind: 'unknown', type: '__proto__' });
  });

  it('refuses what is not an object with a string type', () => {
    for (const payload of [null, 'text', 42, [], {}, { type: 3 }, { type: '' }, { text: 'no type' }]) {
      expect(validatePayload(payload).kind, JSON.stringify(payload)).toBe('invalid');
    }
  });
});
