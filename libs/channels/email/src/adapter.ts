import type { ChannelAdapter, ProviderRequest } from '@switchboard/contracts';
import { EmailConfig, emailSecretFields } from './config.js';
import { renderEmail } from './mail.js';
import { interpretSmtpResponse } from './smtp-result.js';

/** The path of the one request the e-mail adapter renders: a marker, not an HTTP route. */
export const emailSendPath = 'smtp:send';

/**
 * E-mail, outbound only. Endpoint convention: identity `*`, sender = the person's e-mail address,
 * thread `*`. There is no inbound webhook: verify refuses everything, parse finds nothing.
 * `render` wraps the mail (see `renderEmail`) in a request whose JSON body is the nodemailer message
 * options — the e-mail connector hands `body.value` to SMTP instead of calling HTTP — and
 * `interpretSend` reads an SMTP reply (see `smtpAccepted` / `smtpRefused`).
 */
export const emailAdapter: ChannelAdapter<EmailConfig> = {
  name: 'email',
  configSchema: EmailConfig,
  secretFields: emailSecretFields,
  supportsTyping: false,
  handshake: () => null,
  verify: () => ({ ok: false, status: 403, reason: 'the e-mail channel has no inbound webhook' }),
  parse: () => [],
  acknowledge: () => ({ status: 404 }),
  render: (payload, address, config): ProviderRequest[] => {
    const mail = renderEmail(payload, address, config);
    return mail === null
      ? []
      : [{ method: 'POST', path: emailSendPath, headers: {}, body: { kind: 'json', value: mail } }];
  },
  renderTyping: () => null,
  interpretSend: (response) => interpretSmtpResponse(response),
};
