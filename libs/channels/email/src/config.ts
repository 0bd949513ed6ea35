import { type Static, Type } from 'typebox';

/**
 * A client's outgoing mail: the SMTP relay the connector sends through (nodemailer's SMTP transport),
 * the sender, and the subject used when a payload has none.
 */
export const EmailConfig = Type.Object({
  from: Type.String({ minLength: 3, description: 'Sender, e.g. "Acme Support <support@acme.test>"' }),
  host: Type.String({ minLength: 1, description: 'SMTP server host' }),
  port: Type.Integer({ minimum: 1, maximum: 65535, description: 'SMTP server port (587, 465, 25)' }),
  secure: Type.Optional(
    Type.Boolean({
      description: 'TLS from the first byte (port 465); otherwise STARTTLS when the server offers it',
    }),
  ),
  username: Type.Optional(Type.String({ minLength: 1 })),
  password: Type.Optional(Type.String({ minLength: 1, secret: true })),
  replyTo: Type.Optional(Type.String({ minLength: 3 })),
  subject: Type.Optional(Type.String({ minLength: 1, description: 'Subject when the payload has none' })),
});
export type EmailConfig = Static<typeof EmailConfig>;

export const emailSecretFields = ['password'] as const;

export const defaultEmailSubject = 'New message';

/** The SMTP transport options nodemailer's `createTransport` takes, from the client's configuration. */
export interface SmtpTransportOptions {
  host: string;
  port: number;
  secure: boolean;
  auth?: { user: string; pass: string };
}

export function smtpTransportOptions(config: EmailConfig): SmtpTransportOptions {
  return {
    host: config.host,
    port: config.port,
    secure: config.secure ?? config.port === 465,
    ...(config.username !== undefined
      ? { auth: { user: config.username, pass: config.password ?? '' } }
      : {}),
  };
}
