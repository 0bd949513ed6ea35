import { createHmac, randomBytes } from 'node:crypto';
import {
  type FakeAnswer,
  type HttpFake,
  type RecordedRequest,
  retryAfterHeader,
  type ScriptedFailure,
  startHttpFake,
} from './http-fake.js';

/**
 * A fake Twilio Messaging API (https://www.twilio.com/docs/messaging/api/message-resource):
 * `POST /2010-04-01/Accounts/<AccountSid>/Messages.json`, HTTP Basic (AccountSid:AuthToken), a
 * form-encoded body; answers 201 with the Message resource, or Twilio's error body
 * `{ code, message, more_info, status }` (20003 for bad credentials, 21604/21603/21602 for missing
 * To/From/Body, 20429 when rate limited). It signs webhooks as Twilio does (X-Twilio-Signature).
 */

export interface TwilioFakeOptions {
  accountSid?: string;
  authToken?: string;
}

export interface SignedWebhook {
  headers: Record<string, string>;
  body: string;
}

export interface TwilioFake extends HttpFake {
  accountSid: string;
  authToken: string;
  /** The accepted message creations, in order (their form fields are in `form`). */
  sent(): RecordedRequest[];
  /** Form parameters posted to `url` and signed as Twilio would. */
  signedWebhook(url: string, params: Record<string, string>): SignedWebhook;
  /** The parameters of an incoming SMS, with a fresh MessageSid. */
  incomingMessage(options: { from: string; to: string; body: string }): Record<string, string>;
  /** The parameters of a status callback for a message we sent. */
  statusCallback(options: { messageSid: string; status: string; errorCode?: string }): Record<string, string>;
}

export async function startTwilioFake(options: TwilioFakeOptions = {}): Promise<TwilioFake> {
  const accountSid = options.accountSid ?? `AC${'0123456789abcdef'.repeat(2)}`;
  const authToken = options.authToken ?? 'twilio-fake-auth-token';
  const expectedAuthorization = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
  const accepted = new Set<RecordedRequest>();

  const fake = await startHttpFake((request, takeFailure): FakeAnswer => {
    const match = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(request.path);
    if (!match || request.method !== 'POST') {
      return twilioError(404, 20404, 'The requested resource was not found');
    }
    if (request.headers.authorization !== expectedAuthorization || match[1] !== accountSid) {
      return twilioError(401, 20003, 'Authenticate');
    }
    const form = request.form;
    if (form === undefined) return twilioError(400, 21609, 'Invalid request body: expected form parameters');
    if (!form.To) return twilioError(400, 21604, "A 'To' phone number is required.");
    if (!form.From && !form.MessagingServiceSid)
      return twilioError(400, 21603, "A 'From' phone number is required.");
    if (!form.Body && !form.MediaUrl) return twilioError(400, 21602, 'Message body is required.');
    if ((form.Body ?? '').length > 1600) {
      return twilioError(400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
    }
    const failure = takeFailure();
    if (failure) return scriptedFailure(failure);
    accepted.add(request);
    const sid = `SM${randomBytes(16).toString('hex')}`;
    return {
      status: 201,
      body: {
        sid,
        account_sid: accountSid,
        to: form.To,
        from: form.From ?? null,
        messaging_service_sid: form.MessagingServiceSid ?? null,
        body: form.Body ?? '',
        status: 'queued',
        num_media: form.MediaUrl ? '1' : '0',
        direction: 'outbound-api',
        date_created: new Date().toUTCString(),
        uri: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`,
      },
    };
  });

  return {
    ...fake,
    accountSid,
    authToken,
    sent: () => fake.requests.filter((request) => accepted.has(request)),
    signedWebhook: (url, params) => {
      // Twilio's scheme: the URL, then each parameter name and value, sorted by name.
      const data = Object.keys(params)
        .sort()
        .reduce((text, name) => text + name + params[name], url);
      const signature = createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
      return {
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
        body: new URLSearchParams(params).toString(),
      };
    },
    incomingMessage: ({ from, to, body }) => {
      const sid = `SM${randomBytes(16).toString('hex')}`;
      return {
        ToCountry: 'US',
        SmsMessageSid: sid,
        NumMedia: '0',
        SmsSid: sid,
        SmsStatus: 'received',
        Body: body,
        To: to,
        NumSegments: '1',
        MessageSid: sid,
        AccountSid: accountSid,
        From: from,
        ApiVersion: '2010-04-01',
      };
    },
    statusCallback: ({ messageSid, status, errorCode }) => ({
      SmsSid: messageSid,
      SmsStatus: status,
      MessageStatus: status,
      MessageSid: messageSid,
      AccountSid: accountSid,
      ApiVersion: '2010-04-01',
      ...(errorCode === undefined ? {} : { ErrorCode: errorCode }),
    }),
  };
}

function twilioError(
  status: number,
  code: number,
  message: string,
  headers?: Record<string, string>,
): FakeAnswer {
  return {
    status,
    ...(headers ? { headers } : {}),
    body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
  };
}

function scriptedFailure(failure: ScriptedFailure): FakeAnswer {
  const headers = retryAfterHeader(failure);
  if (failure.body !== undefined) return { status: failure.status, headers, body: failure.body };
  if (failure.status === 429) return twilioError(429, 20429, 'Too Many Requests', headers);
  if (failure.status === 400) {
    return twilioError(400, 21211, "The 'To' number +15005550001 is not a valid phone number.", headers);
  }
  if (failure.status >= 500)
    return twilioError(failure.status, 20500, 'An internal server error has occurred', headers);
  return twilioError(failure.status, 20001, 'Unknown error', headers);
}
