import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { type AddressObject, simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';

/**
 * A local SMTP server (the maintained `smtp-server` package) that requires AUTH (PLAIN or LOGIN, over
 * the plain loopback connection: STARTTLS is not offered), records every mail it accepts — parsed with
 * `mailparser` — and replays scripted refusals at RCPT TO with the SMTP code given (4yz transient,
 * 5yz permanent), as a real relay would.
 */

export interface SmtpFakeOptions {
  username?: string;
  password?: string;
}

export interface ReceivedMailAttachment {
  filename: string | undefined;
  contentType: string;
  content: Buffer;
}

export interface ReceivedMail {
  envelope: { from: string | undefined; to: string[] };
  from: string | undefined;
  to: string[];
  replyTo: string | undefined;
  subject: string | undefined;
  text: string | undefined;
  html: string | undefined;
  messageId: string | undefined;
  attachments: ReceivedMailAttachment[];
}

export interface SmtpFailure {
  /** The SMTP reply code, e.g. 451 (try again later) or 550 (mailbox unavailable). */
  code: number;
  message?: string;
}

export interface SmtpFake {
  host: string;
  port: number;
  username: string;
  password: string;
  /** Mails accepted, in order. */
  mails: ReceivedMail[];
  /** The next recipient is refused with this reply. Failures queue up in order. */
  failNext(failure: SmtpFailure): void;
  /** Resolves once `count` mails have been accepted, or rejects after `timeoutMs`. */
  waitForMails(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

export async function startSmtpFake(options: SmtpFakeOptions = {}): Promise<SmtpFake> {
  const username = options.username ?? 'switchboard';
  const password = options.password ?? randomBytes(12).toString('base64url');
  const mails: ReceivedMail[] = [];
  const failures: SmtpFailure[] = [];
  const waiters = new Set<() => void>();

  const server = new SMTPServer({
    name: 'smtp.fake.test',
    banner: 'Switchboard fake SMTP',
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === username && auth.password === password) return callback(null, { user: username });
      callback(Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 }));
    },
    onRcptTo(_address, _session, callback) {
      const failure = failures.shift();
      if (!failure) return callback();
      const message = failure.message ?? (failure.code >= 500 ? 'Mailbox unavailable' : 'Try again later');
      callback(Object.assign(new Error(message), { responseCode: failure.code }));
    },
    onData(stream: SMTPServerDataStream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          mails.push({
            envelope: {
              from: session.envelope.mailFrom === false ? undefined : session.envelope.mailFrom.address,
              to: session.envelope.rcptTo.map((recipient) => recipient.address),
            },
            from: parsed.from?.text,
            to: addresses(parsed.to),
            replyTo: parsed.replyTo?.text,
            subject: parsed.subject,
            text: parsed.text,
            html: typeof parsed.html === 'string' ? parsed.html : undefined,
            messageId: parsed.messageId,
            attachments: parsed.attachments.map((attachment) => ({
              filename: attachment.filename,
              contentType: attachment.contentType,
              content: attachment.content,
            })),
          });
          for (const wake of waiters) wake();
          callback(null, 'Message queued');
        })
        .catch((error: unknown) => callback(error instanceof Error ? error : new Error(String(error))));
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;

  return {
    host: '127.0.0.1',
    port,
    username,
    password,
    mails,
    failNext: (failure) => {
      failures.push(failure);
    },
    waitForMails: (count, timeoutMs = 5_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (mails.length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(mails.slice());
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`SMTP fake received ${mails.length} of ${count} mails in ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  const objects = field === undefined ? [] : Array.isArray(field) ? field : [field];
  return objects.flatMap((object) => object.value.map((address) => address.address ?? '')).filter(Boolean);
}
