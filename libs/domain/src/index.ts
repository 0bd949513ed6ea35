export { broadcastDecider } from './broadcast/broadcast-decider.js';
export type { BroadcastState, BroadcastStatus, ExistingBroadcast } from './broadcast/broadcast-state.js';
export { clientDecider } from './client/client-decider.js';
export type { ChannelState, ClientState, WebhookState } from './client/client-state.js';
export { conversationDecider } from './conversation/conversation-decider.js';
export {
  type ConversationState,
  type ExistingConversation,
  messagesPresent,
  rememberedRemovals,
} from './conversation/conversation-state.js';
export { type DecideContext, type Decider, foldState, handle } from './decider.js';
export { type AnyDecider, deciderFor, deciders } from './deciders.js';
export { deliveryDecider } from './delivery/delivery-decider.js';
export type { DeliveryState, ExistingDelivery } from './delivery/delivery-state.js';
export { DomainError, type DomainErrorCode, isDomainError } from './domain-error.js';
export { type RecipientState, recipientDecider } from './recipient/recipient-decider.js';
export { type ConnectionState, type ConnectionTerms, recipientVerdict } from './user/connection.js';
export { type UserState, userDecider } from './user/user-decider.js';
