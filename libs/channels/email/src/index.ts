export { emailAdapter, emailSendPath } from './adapter.js';
export {
  defaultEmailSubject,
  EmailConfig,
  emailSecretFields,
  type SmtpTransportOptions,
  smtpTransportOptions,
} from './config.js';
export { type MailAttachment, type MailDescription, renderEmail } from './mail.js';
export { interpretSmtpResponse, smtpAccepted, smtpRefused } from './smtp-result.js';
