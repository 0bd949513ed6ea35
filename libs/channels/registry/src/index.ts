export {
  type AnyChannelAdapter,
  adapterFor,
  channelAdapters,
  defaultApiBaseUrls,
  isKnownChannel,
  type KnownChannel,
  knownChannels,
} from './adapters.js';
export {
  type ChannelConfigCheck,
  type ChannelConfigsCheck,
  type CheckedChannel,
  channelConfigFields,
  checkChannelConfig,
  checkChannelConfigs,
} from './config-check.js';
