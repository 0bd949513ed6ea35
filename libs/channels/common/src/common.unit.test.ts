import { describe, expect, it } from 'vitest';
import {
  basicAuthorization,
  choiceForReply,
  classifyHttpAnswer,
  constantTimeEqual,
  encodeForm,
  hmac,
  parseForm,
  payloadAsTexts,
  renderNumberedChoices,
  retryAfterMs,
  splitText,
  toWireRequest,
} from './index.js';

const colours = [
  { title: 'Red', value: 'RED' },
  { title: 'Blue', value: 'BLUE' },
];

describe('constantTimeEqual', () => {
  it('is true only for equal contents', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
    expect(constantTimeEqual(Buffer.from('x'), 'x')).toBe(true);
  });
});

describe('hmac', () => {
  it('matches the RFC 4231 test case 2 for HMAC-SHA256', () => {
    expect(hmac('sha256', 'Jefe', 'what do ya want for nothing?', 'hex')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });
});

describe('forms', () => {
  it('round-trips fields with reserved characters', () => {
    const fields = { Body: 'a & b = c ✓', To: '+15551234567' };
    const encoded = encodeForm(fields);
    expect(encoded).toContain('To=%2B15551234567');
    expect(parseForm(Buffer.from(encoded))).toEqual(fields);
  });
});

describe('numbered choices', () => {
  it('renders the prompt then numbered titles', () => {
    expect(renderNumberedChoices('Pick one', colours)).toBe('Pick one\n1. Red\n2. Blue');
  });
  it('maps a number or a title back to the choice', () => {
    expect(choiceForReply(' 2 ', colours)?.value).toBe('BLUE');
    expect(choiceForReply('1.', colours)?.value).toBe('RED');
    expect(choiceForReply('blue', colours)?.value).toBe('BLUE');
    expect(choiceForReply('3', colours)).toBeUndefined();
    expect(choiceForReply('green', colours)).toBeUndefined();
  });
});

describe('payloadAsTexts', () => {
  it('renders choices, dropdowns, cards and carousels as text', () => {
    expect(payloadAsTexts({ type: 'single-choice', text: 'Pick', choices: colours })).toEqual([
      'Pick\n1. Red\n2. Blue',
    ]);
    expect(
      payloadAsTexts({ type: 'dropdown', message: 'Size?', options: [{ label: 'S', value: 's' }] }),
    ).toEqual(['Size?\n1. S']);
    const card = {
      title: 'Shoe',
      subtitle: 'Red',
      image: 'https://x/shoe.png',
      actions: [
        { action: 'Open URL', title: 'Shop', url: 'https://x/shop' },
        { action: 'Postback', title: 'Buy', payload: 'BUY' },
      ],
    };
    expect(payloadAsTexts({ type: 'card', ...card })).toEqual([
      'Shoe\nRed\nhttps://x/shoe.png\nShop: https://x/shop\n1. Buy',
    ]);
    expect(payloadAsTexts({ type: 'carousel', items: [card, { ...card, title: 'Hat' }] })).toHaveLength(2);
  });
  it('renders a location with a map link and skips unknown types without text', () => {
    expect(payloadAsTexts({ type: 'location', latitude: 1.5, longitude: -2, title: 'Here' })).toEqual([
      'Here\nhttps://www.google.com/maps/search/?api=1&query=1.5,-2',
    ]);
    expect(payloadAsTexts({ type: 'custom', data: 1 })).toEqual([]);
    expect(payloadAsTexts({ type: 'custom', text: 'hi' })).toEqual(['hi']);
  });
});

describe('classifyHttpAnswer', () => {
  const answer = (status: number, headers: Record<string, string> = {}) => ({ status, headers, body: '' });
  it('reads sent, retry and failed', () => {
    expect(classifyHttpAnswer(answer(200), { providerMessageId: 'm1' })).toEqual({
      kind: 'sent',
      providerMessageId: 'm1',
    });
    expect(classifyHttpAnswer(answer(429, { 'retry-after': '3' }), {})).toMatchObject({
      kind: 'retry',
      retryAfterMs: 3000,
    });
    expect(classifyHttpAnswer(answer(503), {}).kind).toBe('retry');
    expect(classifyHttpAnswer(answer(400), { errorReason: 'bad number' })).toEqual({
      kind: 'failed',
      reason: 'bad number',
    });
  });
  it('reads only delta-seconds Retry-After', () => {
    expect(retryAfterMs({ 'retry-after': '1.5' })).toBe(1500);
    expect(retryAfterMs({ 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' })).toBeUndefined();
  });
});

describe('toWireRequest', () => {
  it('joins the base URL and serializes JSON and form bodies with their content types', () => {
    const json = toWireRequest('http://127.0.0.1:9/prefix/', {
      method: 'POST',
      path: '/a',
      headers: {},
      body: { kind: 'json', value: { x: 1 } },
    });
    expect(json).toEqual({
      url: 'http://127.0.0.1:9/prefix/a',
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: '{"x":1}',
    });
    const form = toWireRequest('http://h', {
      method: 'POST',
      path: '/b',
      headers: { Authorization: basicAuthorization('u', 'p') },
      body: { kind: 'form', value: { To: '+1' } },
    });
    expect(form.headers).toEqual({
      Authorization: 'Basic dTpw',
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(form.body).toBe('To=%2B1');
  });
});

describe('splitText', () => {
  it('keeps short texts whole and cuts long ones at spaces within the limit', () => {
    expect(splitText('', 10)).toEqual(['']);
    expect(splitText('hello', 10)).toEqual(['hello']);
    expect(splitText('aaaa bbbb cccc', 9)).toEqual(['aaaa bbbb', 'cccc']);
    expect(splitText('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
  });
  it('never cuts a surrogate pair', () => {
    const parts = splitText('ab😀cd', 3);
    expect(parts.join('')).toBe('ab😀cd');
    expect(parts.every((part) => part.length <= 3 && !/[\uD800-\uDBFF]$/.test(part))).toBe(true);
  });
});
