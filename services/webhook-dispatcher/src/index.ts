export {
  type AttemptView,
  DELIVERY_STATUSES,
  type DeliveryDetail,
  type DeliveryFilter,
  type DeliveryStatus,
  type DeliverySummary,
  getDelivery,
  listDeliveries,
  type RedriveTarget,
  redriveDeliveries,
} from './deliveries-admin.js';
export { DUE_CHANNEL, dispatchDdl, migrateDispatch } from './schema.js';
export {
  EVENT_ID_HEADER,
  SIGNATURE_HEADER,
  signatureHeader,
  TIMESTAMP_HEADER,
  verifySignatureHeader,
} from './signature.js';
export type { WebhookEventType } from './webhook-events.js';
