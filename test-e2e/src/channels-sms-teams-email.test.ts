import { afterAll, beforeAll, describe } from 'vitest';
import { emailCase, teamsCase, twilioCase, vonageCase } from './channels-cases.js';
import { channelScenarios, type Harness, startConnector, startMediaServer } from './channels-harness.js';
import { TestSystem } from './system.js';
import { WebhookReceiver } from './webhook-receiver.js';

const SERVICES = ['command-handler', 'relay', 'projector', 'gateway', 'webhook-dispatcher'];

// The fakes start first: which scenarios a channel has depends on its case.
const started = await Promise.all([twilioCase(), vonageCase(), teamsCase(), emailCase()]);

/** Twilio and Vonage (SMS, with status callbacks), Teams (Bot Framework) and e-mail (SMTP). */
describe('SMS, Teams and e-mail channels end to end', () => {
  let harness: Harness;
  let media: Awaited<ReturnType<typeof startMediaServer>>;

  beforeAll(async () => {
    media = await startMediaServer();
    const receiver = await WebhookReceiver.start();
    const gatewayEnv = Object.assign({}, ...started.map((s) => s.gatewayEnv ?? {}));
    const system = await TestSystem.start({ services: SERVICES, env: gatewayEnv });
    harness = { system, receiver, mediaBase: media.base };
    // One at a time, and a long hook: nine processes starting at once on a busy machine can miss the
    // readiness deadline, which is not what these tests are about.
    for (const s of started) await startConnector(system, s.case);
  }, 360_000);
  afterAll(async () => {
    await harness?.system.stop();
    await harness?.receiver?.close();
    await media?.close();
    await Promise.all(started.map((s) => s.close()));
  });

  for (const { case: channel } of started) {
    describe(channel.channel, () => channelScenarios(() => harness, channel));
  }
});
