import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChannelAddress, Payload, ProviderResponse } from '@switchboard/contracts';
import { type SmtpFake, startSmtpFake } from '@switchboard/testkit';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailAdapter } from './adapter.js';
import { type EmailConfig, smtpTransportOptions } from './config.js';
import type { MailDescription } from './mail.js';
import { smtpAccepted, smtpRefused } from './smtp-result.js';

const address: ChannelAddress = { identity: '*', sender: 'ada@example.test', thread: '*' };
const pdfBytes = Buffer.from('%PDF-1.4 fake invoice\n');
const pngBytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);

describe('email adapter against a local SMTP server', () => {
  let smtp: SmtpFake;
  let media: Server;
  let mediaUrl: string;
  let config: EmailConfig;

  beforeAll(async () => {
    smtp = await startSmtpFake();
    // The attachments' URLs: nodemailer fetches them while sending, as it would from a CDN.
    media = createServer((request, response) => {
      const body = request.url?.endsWith('.png') ? pngBytes : pdfBytes;
      response.writeHead(200, {
        'content-type': request.url?.endsWith('.png') ? 'image/png' : 'application/pdf',
      });
      response.end(body);
    });
    await new Promise<void>((resolve) => media.listen(0, '127.0.0.1', resolve));
    mediaUrl = `http://127.0.0.1:${(media.address() as AddressInfo).port}`;
    config = {
      from: 'Acme <support@acme.test>',
      host: smtp.host,
      port: smtp.port,
      username: smtp.username,
      password: smtp.password,
      subject: 'From Acme',
    };
  });
  afterAll(async () => {
    await smtp.close();
    await new Promise<void>((resolve) => media.close(() => resolve()));
  });

  /** What the e-mail connector does with a rendered request: SMTP through nodemailer. */
  async function send(mail: MailDescription, mailConfig: EmailConfig = config): Promise<ProviderResponse> {
    const transport = nodemailer.createTransport(smtpTransportOptions(mailConfig));
    try {
      return smtpAccepted(await transport.sendMail(mail));
    } catch (error) {
      return smtpRefused(error as { responseCode?: number; response?: string; message?: string });
    } finally {
      transport.close();
    }
  }

  function rendered(payload: Payload): MailDescription[] {
    return emailAdapter
      .render(payload, address, config)
      .map((request) => request.body?.value as MailDescription);
  }

  it('delivers every payload type with text and HTML bodies and attachments fetched by URL', async () => {
    const payloads: Payload[] = [
      { type: 'text', text: 'Hello <there>' },
      { type: 'image', image: `${mediaUrl}/photo.png`, title: 'Photo' },
      { type: 'audio', audio: `${mediaUrl}/song.mp3` },
      { type: 'voice', audio: `${mediaUrl}/note.ogg` },
      { type: 'video', video: `${mediaUrl}/clip.mp4` },
      { type: 'file', file: `${mediaUrl}/invoice.pdf`, title: 'Invoice' },
      { type: 'location', latitude: 1.5, longitude: 2.5 },
      { type: 'card', title: 'Card', actions: [{ action: 'Postback', title: 'Go', payload: 'GO' }] },
      {
        type: 'carousel',
        items: [
          { title: 'One', actions: [] },
          { title: 'Two', actions: [] },
        ],
      },
      { type: 'single-choice', text: 'Pick', choices: [{ title: 'A', value: 'a' }] },
      { type: 'dropdown', message: 'Pick', options: [{ label: 'B', value: 'b' }] },
    ];
    for (const payload of payloads) {
      const [mail] = rendered(payload);
      const outcome = emailAdapter.interpretSend(await send(mail!));
      expect(outcome, payload.type).toMatchObject({
        kind: 'sent',
        providerMessageId: expect.stringMatching(/^<.+@.+>$/),
      });
      const received = smtp.mails.at(-1)!;
      expect(received.envelope.to, payload.type).toEqual(['ada@example.test']);
      expect(received.subject).toBe('From Acme');
      expect(received.text?.trim()).toBe(mail!.text);
      expect(received.html).toBe(mail!.html);
      expect(received.messageId).toBe(outcome.kind === 'sent' ? outcome.providerMessageId : undefined);
    }
    const invoice = smtp.mails.find((received) =>
      received.attachments.some((file) => file.filename === 'Invoice.pdf'),
    );
    expect(invoice?.attachments[0]?.content.equals(pdfBytes)).toBe(true);
    const photo = smtp.mails.find((received) =>
      received.attachments.some((file) => file.filename === 'Photo.png'),
    );
    expect(photo?.attachments[0]?.content.equals(pngBytes)).toBe(true);
  });

  it('retries a 451 refusal and fails a 550 with the server’s reply', async () => {
    const [mail] = rendered({ type: 'text', text: 'again' });
    smtp.failNext({ code: 451, message: 'Greylisted, try again later' });
    const transient = emailAdapter.interpretSend(await send(mail!));
    expect(transient).toMatchObject({ kind: 'retry', reason: expect.stringContaining('451 Greylisted') });

    smtp.failNext({ code: 550, message: 'No such user here' });
    const permanent = emailAdapter.interpretSend(await send(mail!));
    expect(permanent).toMatchObject({
      kind: 'failed',
      reason: expect.stringContaining('550 No such user here'),
    });

    const before = smtp.mails.length;
    expect(emailAdapter.interpretSend(await send(mail!))).toMatchObject({ kind: 'sent' });
    expect(smtp.mails.length).toBe(before + 1);
  });

  it('fails with wrong credentials', async () => {
    const [mail] = rendered({ type: 'text', text: 'x' });
    const outcome = emailAdapter.interpretSend(await send(mail!, { ...config, password: 'wrong' }));
    expect(outcome).toMatchObject({ kind: 'failed', reason: expect.stringContaining('535') });
  });
});
