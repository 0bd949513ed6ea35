import type { ChannelAddress, InboundRequest, Payload } from '@switchboard/contracts';
import { describe, expect, it } from 'vitest';
import { emailAdapter, emailSendPath } from './adapter.js';
import { type EmailConfig, smtpTransportOptions } from './config.js';
import { type MailDescription, renderEmail } from './mail.js';
import { smtpAccepted, smtpRefused } from './smtp-result.js';

const config: EmailConfig = {
  from: 'Acme <support@acme.test>',
  host: 'smtp.acme.test',
  port: 587,
  username: 'mailer',
  password: 'pw',
  subject: 'A message from Acme',
};
const address: ChannelAddress = { identity: '*', sender: 'ada@example.test', thread: '*' };

function mail(payload: Payload): MailDescription {
  const rendered = renderEmail(payload, address, config);
  if (rendered === null) throw new Error('skipped');
  return rendered;
}

describe('email inbound', () => {
  const request: InboundRequest = {
    method: 'POST',
    url: 'https://sb.test/w',
    headers: {},
    query: {},
    rawBody: Buffer.from('{}'),
  };

  it('has no inbound webhook: verify refuses, parse and handshake find nothing', () => {
    expect(emailAdapter.verify(request, config, { nowSeconds: 0 })).toMatchObject({ ok: false, status: 403 });
    expect(emailAdapter.parse(request, config)).toEqual([]);
    expect(emailAdapter.handshake(request, config)).toBeNull();
    expect(emailAdapter.renderTyping(address, config, 'on')).toBeNull();
  });
});

describe('email render', () => {
  it('wraps the mail in one request whose body is the nodemailer message', () => {
    expect(emailAdapter.render({ type: 'text', text: 'Hi <you>\nbye' }, address, config)).toEqual([
      {
        method: 'POST',
        path: emailSendPath,
        headers: {},
        body: {
          kind: 'json',
          value: {
            from: 'Acme <support@acme.test>',
            to: 'ada@example.test',
            subject: 'A message from Acme',
            text: 'Hi <you>\nbye',
            html: '<p>Hi &lt;you&gt;<br>bye</p>',
            attachments: [],
          },
        },
      },
    ]);
  });

  it("uses the payload's own subject, then the configured one, then a default; adds Reply-To", () => {
    expect(mail({ type: 'text', text: 'x', subject: 'Your order' }).subject).toBe('Your order');
    const { subject: _subject, ...withoutSubject } = config;
    expect(
      renderEmail({ type: 'text', text: 'x' }, address, { ...withoutSubject, replyTo: 'help@acme.test' }),
    ).toMatchObject({
      subject: 'New message',
      replyTo: 'help@acme.test',
    });
  });

  it('attaches media by URL, naming files after the title with the URL’s extension', () => {
    expect(mail({ type: 'image', image: 'https://cdn.test/p/photo.png', title: 'Photo' })).toMatchObject({
      text: 'Photo\nhttps://cdn.test/p/photo.png',
      html: '<p>Photo</p><p><img src="https://cdn.test/p/photo.png" alt="Photo"></p>',
      attachments: [{ filename: 'Photo.png', path: 'https://cdn.test/p/photo.png' }],
    });
    const cases: [Payload, string, string][] = [
      [{ type: 'audio', audio: 'https://cdn.test/song.mp3' }, 'song.mp3', 'https://cdn.test/song.mp3'],
      [
        { type: 'voice', audio: 'https://cdn.test/note.ogg?sig=1' },
        'note.ogg',
        'https://cdn.test/note.ogg?sig=1',
      ],
      [
        { type: 'video', video: 'https://cdn.test/clip.mp4', title: 'Clip' },
        'Clip.mp4',
        'https://cdn.test/clip.mp4',
      ],
      [
        { type: 'file', file: 'https://cdn.test/a%20b.pdf', title: 'Invoice.pdf' },
        'Invoice.pdf',
        'https://cdn.test/a%20b.pdf',
      ],
    ];
    for (const [payload, filename, path] of cases) {
      const rendered = mail(payload);
      expect(rendered.attachments).toEqual([{ filename, path }]);
      expect(rendered.html).toContain(`<a href="${path}">`);
    }
  });

  it('sends a location as a map link', () => {
    expect(
      mail({ type: 'location', latitude: 48.85, longitude: 2.35, title: 'Office', address: '1 rue X' }),
    ).toMatchObject({
      text: 'Office\n1 rue X\nhttps://www.google.com/maps/search/?api=1&query=48.85,2.35',
      html: '<p>Office</p><p>1 rue X</p><p><a href="https://www.google.com/maps/search/?api=1&amp;query=48.85,2.35">Open the map</a></p>',
      attachments: [],
    });
  });

  it('sends a card with its links and its answerable buttons numbered', () => {
    const rendered = mail({
      type: 'card',
      title: 'Shoes',
      subtitle: 'Size 42',
      image: 'https://cdn.test/s.png',
      actions: [
        { action: 'Open URL', title: 'See', url: 'https://shop.test/s' },
        { action: 'Postback', title: 'Buy', payload: 'BUY' },
        { action: 'Say something', title: 'Ask', text: 'Tell me more' },
      ],
    });
    expect(rendered.text).toBe(
      'Shoes\nSize 42\nhttps://cdn.test/s.png\nSee: https://shop.test/s\n1. Buy\n2. Ask',
    );
    expect(rendered.html).toBe(
      '<h3>Shoes</h3><p>Size 42</p><p><img src="https://cdn.test/s.png" alt="Shoes"></p>' +
        '<p><a href="https://shop.test/s">See</a></p><ol><li>Buy</li><li>Ask</li></ol>',
    );
  });

  it('sends a carousel as its cards in one mail', () => {
    const rendered = mail({
      type: 'carousel',
      items: [
        { title: 'One', actions: [] },
        { title: 'Two', actions: [] },
      ],
    });
    expect(rendered.text).toBe('One\n\nTwo');
    expect(rendered.html).toBe('<h3>One</h3><hr><h3>Two</h3>');
  });

  it('sends single-choice and dropdown as numbered lists', () => {
    expect(
      mail({
        type: 'single-choice',
        text: 'Colour?',
        choices: [
          { title: 'Red', value: 'r' },
          { title: 'Blue', value: 'b' },
        ],
      }),
    ).toMatchObject({
      text: 'Colour?\n1. Red\n2. Blue',
      html: '<p>Colour?</p><ol><li>Red</li><li>Blue</li></ol>',
    });
    expect(mail({ type: 'dropdown', message: 'Size?', options: [{ label: 'S', value: 's' }] })).toMatchObject(
      {
        text: 'Size?\n1. S',
        html: '<p>Size?</p><ol><li>S</li></ol>',
      },
    );
  });

  it('sends an unknown type with a text as text and skips one without', () => {
    expect(mail({ type: 'x-note', text: 'fallback' }).text).toBe('fallback');
    expect(emailAdapter.render({ type: 'x-note' }, address, config)).toEqual([]);
  });
});

describe('email SMTP results', () => {
  it('reads an accepted mail with its Message-ID', () => {
    const response = smtpAccepted({
      messageId: '<abc@acme.test>',
      response: '250 2.0.0 Ok: queued as 12345',
    });
    expect(response.status).toBe(250);
    expect(emailAdapter.interpretSend(response)).toEqual({
      kind: 'sent',
      providerMessageId: '<abc@acme.test>',
    });
  });

  it('retries 4yz refusals and failures without a reply; fails 5yz with the server’s text', () => {
    expect(
      emailAdapter.interpretSend(
        smtpRefused({ responseCode: 451, response: '451 4.7.1 Greylisted, try later' }),
      ),
    ).toEqual({
      kind: 'retry',
      reason: '451 4.7.1 Greylisted, try later',
    });
    expect(emailAdapter.interpretSend(smtpRefused({ message: 'connect ECONNREFUSED 127.0.0.1:25' }))).toEqual(
      {
        kind: 'retry',
        reason: 'connect ECONNREFUSED 127.0.0.1:25',
      },
    );
    expect(
      emailAdapter.interpretSend(smtpRefused({ responseCode: 550, response: '550 5.1.1 No such user' })),
    ).toEqual({
      kind: 'failed',
      reason: '550 5.1.1 No such user',
    });
  });

  it('maps the configuration to SMTP transport options', () => {
    expect(smtpTransportOptions(config)).toEqual({
      host: 'smtp.acme.test',
      port: 587,
      secure: false,
      auth: { user: 'mailer', pass: 'pw' },
    });
    expect(smtpTransportOptions({ from: 'a@b.c', host: 'h', port: 465 })).toEqual({
      host: 'h',
      port: 465,
      secure: true,
    });
  });
});
