import type { ProviderRequest } from '@switchboard/contracts';
import {
  startMessengerFake,
  startSlackFake,
  startSmoochFake,
  startSmtpFake,
  startTeamsFake,
  startTelegramFake,
  startTwilioFake,
  startVonageFake,
} from '@switchboard/testkit';
import { type ChannelCase, recordedShape, type SentShape } from './channels-harness.js';

/**
 * One `ChannelCase` per provider: its fake, how the fake signs a person's message, what it records of
 * what we send. Each returns the case and how to stop its fake.
 */
export interface StartedCase {
  case: ChannelCase;
  close(): Promise<void>;
  /** Environment the gateway needs for this channel (Teams: where the signing keys are). */
  gatewayEnv?: Record<string, string>;
}

export async function telegramCase(): Promise<StartedCase> {
  const fake = await startTelegramFake();
  return {
    close: () => fake.close(),
    case: {
      channel: 'telegram',
      config: { botToken: fake.botToken, webhookSecret: fake.webhookSecret },
      connectorEnv: { TELEGRAM_API_BASE_URL: fake.baseUrl },
      person: (n) => ({ identity: '*', sender: String(4200 + n), thread: String(4200 + n) }),
      inbound: (person, text) =>
        fake.signedWebhook(
          fake.textUpdate({ fromId: Number(person.sender), chatId: Number(person.thread), text }),
        ),
      // Telegram signs nothing but a secret header: a wrong secret is the forgery.
      tamper: (webhook) => ({
        ...webhook,
        headers: { ...webhook.headers, 'x-telegram-bot-api-secret-token': 'not-the-secret' },
      }),
      signatureHeaders: ['x-telegram-bot-api-secret-token'],
      sent: () => fake.sent().map(recordedShape),
      requestCount: () => fake.requests.length,
      waitForRequests: (count, timeoutMs) => fake.waitForRequests(count, timeoutMs),
      failNext: (failure) => fake.failNext(failure),
      refusal: { status: 400, reason: 'Bad Request: chat not found' },
      typingShown: () => fake.requests.filter((r) => r.path.endsWith('/sendChatAction')).length,
    },
  };
}

export async function slackCase(): Promise<StartedCase> {
  const fake = await startSlackFake();
  return {
    close: () => fake.close(),
    case: {
      channel: 'slack',
      config: { botToken: fake.botToken, signingSecret: fake.signingSecret },
      connectorEnv: { SLACK_API_BASE_URL: fake.baseUrl },
      person: (n) => ({ identity: '*', sender: `U0PERSON${n}`, thread: `D0CHAT${n}` }),
      inbound: (person, text) =>
        fake.signedWebhook(fake.messageEvent({ user: person.sender, channel: person.thread, text })),
      signatureHeaders: ['x-slack-signature', 'x-slack-request-timestamp'],
      sent: () => fake.sent().map(recordedShape),
      requestCount: () => fake.requests.length,
      waitForRequests: (count, timeoutMs) => fake.waitForRequests(count, timeoutMs),
      failNext: (failure) => fake.failNext(failure),
      refusal: { status: 400, reason: 'invalid_arguments' },
    },
  };
}

export async function messengerCase(): Promise<StartedCase> {
  const fake = await startMessengerFake();
  let nextMid = 1;
  const pageId = '1029384756';
  return {
    close: () => fake.close(),
    case: {
      channel: 'messenger',
      config: {
        appSecret: fake.appSecret,
        accessToken: fake.pageAccessToken,
        verifyToken: fake.verifyToken,
      },
      connectorEnv: { MESSENGER_API_BASE_URL: fake.baseUrl },
      person: (n) => ({ identity: '*', sender: `67890000${n}`, thread: '*' }),
      inbound: (person, text) =>
        fake.signedWebhook({
          object: 'page',
          entry: [
            {
              id: pageId,
              time: Date.now(),
              messaging: [
                {
                  sender: { id: person.sender },
                  recipient: { id: pageId },
                  timestamp: Date.now(),
                  message: { mid: `m_e2e_${nextMid++}`, text },
                },
              ],
            },
          ],
        }),
      signatureHeaders: ['x-hub-signature-256'],
      // The fake keeps message ids, not requests: within a test without scripted failures, every send
      // it received is one it accepted.
      sent: () =>
        fake.requests
          .filter((r) => r.path.endsWith('/me/messages') && !('sender_action' in ((r.json as object) ?? {})))
          .map(recordedShape),
      requestCount: () => fake.requests.length,
      waitForRequests: (count, timeoutMs) => fake.waitForRequests(count, timeoutMs),
      failNext: (failure) => fake.failNext(failure),
      refusal: { status: 400, reason: '(#100) Invalid parameter' },
      typingShown: () =>
        fake.requests.filter((r) => (r.json as { sender_action?: string })?.sender_action === 'typing_on')
          .length,
      typingEnded: () =>
        fake.requests.filter((r) => (r.json as { sender_action?: string })?.sender_action === 'typing_off')
          .length,
    },
  };
}

export async function smoochCase(): Promise<StartedCase> {
  const fake = await startSmoochFake();
  return {
    close: () => fake.close(),
    case: {
      channel: 'smooch',
      config: {
        appId: fake.appId,
        keyId: fake.keyId,
        keySecret: fake.keySecret,
        webhookSecret: fake.webhookSecret,
      },
      connectorEnv: { SMOOCH_API_BASE_URL: fake.baseUrl },
      person: (n) => ({ identity: '*', sender: `sc-user-${n}`, thread: `sc-conversation-${n}` }),
      inbound: (person, text) =>
        fake.signedWebhook(
          fake.userMessageWebhook({ userId: person.sender, conversationId: person.thread, text }),
        ),
      // Sunshine Conversations sends its webhook secret as it is: a wrong one is the forgery.
      tamper: (webhook) => ({ ...webhook, headers: { ...webhook.headers, 'x-api-key': 'not-the-secret' } }),
      signatureHeaders: ['x-api-key'],
      sent: () => fake.requests.filter((r) => r.path.endsWith('/messages')).map(recordedShape),
      requestCount: () => fake.requests.length,
      waitForRequests: (count, timeoutMs) => fake.waitForRequests(count, timeoutMs),
      failNext: (failure) => fake.failNext(failure),
      refusal: { status: 400, reason: 'Bad request' },
      typingShown: () => fake.activities.filter((a) => a.type === 'typing:start').length,
      typingEnded: () => fake.activities.filter((a) => a.type === 'typing:stop').length,
    },
  };
}

export async function twilioCase(): Promise<StartedCase> {
  const fake = await startTwilioFake();
  return {
    close: () => fake.close(),
    case: {
      channel: 'twilio',
      config: { accountSID: fake.accountSid, authToken: fake.authToken },
      connectorEnv: { TWILIO_API_BASE_URL: fake.baseUrl },
      person: (n) => ({ identity: '+15550001111', sender: `+1555222000${n}`, thread: '*' }),
      inbound: (person, text, url) =>
        fake.signedWebhook(
          url,
          fake.incomingMessage({ from: person.sender, to: person.identity, body: text }),
        ),
      signatureHeaders: ['x-twilio-signature'],
      sent: () => fake.sent().map(recordedShape),
      requestCount: () => fake.requests.length,
      waitForRequests: (count, timeoutMs) => fake.waitForRequests(count, timeoutMs),
      failNext: (failure) => fake.failNext(failure),
      refusal: { status: 400, reason: "The 'To' number +15005550001 is not a valid phone number." },
      deliveredCallback: (sid, url) =>
        fake.signedWebhook(url, fake.statusCallback({ messageSid: sid, status: 'delivered' })),
    },
  };
}

export async function vonageCase(): Promise<StartedCase> {
  const fake = await startVonageFake();
  return {
    close: () => fake.close(),
    case: {
      channel: 'vonage',
      config: { apiKey: fake.apiKey, apiSecret: fake.apiSecret, signatureSecret: fake.signatureSecret },
      connectorEnv: { VONAGE_API_BASE_URL: fake.baseUrl },
      person: (n) => ({ identity: '447700900000', sender: `44770090010${n}`, thread: '*' }),
      inbound: (person, text) =>
        fake.signedWebhook(fake.inboundText({ from: person.sender, to: person.identity, text })),
      signatureHeaders: ['authorization'],
      sent: () => fake.sent().map(recordedShape),
      requestCount: () => fake.requests.length,
      waitForRequests: (count, timeoutMs) => fake.waitForRequests(count, timeoutMs),
      failNext: (failure) => fake.failNext(failure),
      refusal: { status: 400, reason: 'Invalid sender' },
      deliveredCallback: (uuid) =>
        fake.signedWebhook(fake.statusUpdate({ messageUuid: uuid, status: 'delivered' })),
    },
  };
}

export async function teamsCase(): Promise<StartedCase> {
  const fake = await startTeamsFake();
  return {
    close: () => fake.close(),
    gatewayEnv: { TEAMS_OPENID_METADATA_URL: `${fake.baseUrl}/v1/.well-known/openidconfiguration` },
    case: {
      channel: 'teams',
      config: { appId: fake.appId, appPassword: fake.appPassword },
      connectorEnv: { TEAMS_API_BASE_URL: fake.baseUrl, TEAMS_LOGIN_BASE_URL: fake.baseUrl },
      person: (n) => ({ identity: '*', sender: `29:e2e-person-${n}`, thread: `a:e2e-chat-${n}` }),
      inbound: (person, text) =>
        fake.signedWebhook(fake.textActivity({ fromId: person.sender, conversationId: person.thread, text })),
      // The Bot Connector's token covers the service URL, not the body: a token signed with a key
      // Bot Framework never published is the forgery.
      tamper: (webhook) => {
        const [head, claims, signature = ''] = (webhook.headers.authorization ?? '').split('.');
        const forged = `${head}.${claims}.${signature.slice(0, -6)}AAAAAA`;
        return { ...webhook, headers: { ...webhook.headers, authorization: forged } };
      },
      signatureHeaders: ['authorization'],
      sent: () =>
        fake.activities.map((a) => ({
          path: `/v3/conversations/${encodeURIComponent(a.conversationId)}/activities`,
          body: a.activity,
        })),
      requestCount: () => fake.requests.length,
      waitForRequests: (count, timeoutMs) => fake.waitForRequests(count, timeoutMs),
      failNext: (failure) => fake.failNext(failure),
      refusal: { status: 400, reason: 'BadArgument: Bad request' },
      typingShown: () => fake.activities.filter((a) => a.activity.type === 'typing').length,
    },
  };
}

export async function emailCase(): Promise<StartedCase> {
  const smtp = await startSmtpFake();
  const config = {
    from: 'Acme Support <support@acme.test>',
    host: smtp.host,
    port: smtp.port,
    username: smtp.username,
    password: smtp.password,
    subject: 'From Acme',
  };
  const shapeOfMail = (mail: {
    to: unknown;
    subject?: string | undefined;
    text?: string | undefined;
  }): SentShape => ({
    path: 'smtp',
    body: { to: mail.to, subject: mail.subject, text: mail.text?.trim() },
  });
  return {
    close: () => smtp.close(),
    case: {
      channel: 'email',
      config,
      connectorEnv: {},
      person: (n) => ({ identity: '*', sender: `person${n}@example.test`, thread: '*' }),
      sent: () => smtp.mails.map((m) => shapeOfMail({ to: m.envelope.to, subject: m.subject, text: m.text })),
      requestCount: () => smtp.mails.length,
      waitForRequests: (count, timeoutMs) => smtp.waitForMails(count, timeoutMs),
      failNext: (failure) => smtp.failNext({ code: failure.status }),
      refusal: { status: 550, reason: 'Mailbox unavailable' },
      rateLimit: { status: 451, timed: false },
      shapeOf: (request: ProviderRequest) => {
        const mail = request.body?.value as { to: string; subject?: string; text?: string };
        return shapeOfMail({ to: [mail.to], subject: mail.subject, text: mail.text });
      },
    },
  };
}
