import { parseApiKey } from '../../protocol/client-messages.js';
import { ErrorCode, ProtocolError } from '../../protocol/error-codes.js';
import { withRequestId, type ActionHandler } from './handler-context.js';

export const authenticate: ActionHandler = (client, message, context, requestId) => {
  const blockedFor = context.authFailures.blockedFor(client.address);
  if (blockedFor > 0) {
    throw new ProtocolError(
      ErrorCode.RATE_LIMITED,
      `too many failed authentications from this address; try again in ${blockedFor} s`,
    );
  }
  const identity = context.apiKeys.identify(parseApiKey(message));
  if (!identity) {
    context.authFailures.failed(client.address);
    throw new ProtocolError(ErrorCode.AUTHENTICATION_ERROR, 'Invalid API key');
  }
  if (client.userId !== undefined && client.userId !== identity.userId) {
    throw new ProtocolError(ErrorCode.AUTHENTICATION_ERROR, 'already authenticated as another user');
  }
  client.authenticated(identity.userId);
  return withRequestId(
    {
      type: 'auth',
      status: 'success',
      message: 'Authentication successful',
      broker: context.adapters.catalog.default.broker,
      user_id: identity.userId,
      supported_features: { ltp: true, quote: true, depth: true },
    },
    requestId,
  );
};

export const ping: ActionHandler = (_client, message, _context, requestId) => {
  const reply: Record<string, unknown> = { type: 'pong', status: 'success', server_timestamp: Date.now() };
  if (typeof message.timestamp === 'number' || typeof message.timestamp === 'string') {
    reply.client_timestamp = message.timestamp;
  }
  if (typeof message._pingId === 'number' || typeof message._pingId === 'string')
    reply._pingId = message._pingId;
  return withRequestId(reply, requestId);
};

export const getBrokerInfo: ActionHandler = (client, _message, context, requestId) => {
  const broker = context.adapters.catalog.default;
  const live = context.adapters.live(broker.exchange);
  return withRequestId(
    {
      type: 'broker_info',
      status: 'success',
      broker: broker.broker,
      adapter_status: live ? live.adapter.status() : 'not_connected',
      user_id: client.userId,
    },
    requestId,
  );
};

export const getSupportedBrokers: ActionHandler = (_client, _message, context, requestId) => {
  const entries = context.adapters.catalog.list();
  return withRequestId(
    {
      type: 'supported_brokers',
      status: 'success',
      brokers: entries.map((e) => e.broker),
      exchanges: entries.map((e) => ({ exchange: e.exchange, broker: e.broker })),
      count: entries.length,
    },
    requestId,
  );
};
