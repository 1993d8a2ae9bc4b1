import { parseSubscribe, parseUnsubscribe } from '../../protocol/client-messages.js';
import { withRequestId, type ActionHandler, type HandlerContext } from './handler-context.js';

export const subscribe: ActionHandler = async (client, message, context) => {
  const request = parseSubscribe(message, context.limits);
  const results = await context.subscriptions.subscribe(client, client.ensureSubscriptions(), request);
  const ok = results.filter((r) => r.status === 'success').length;
  return withRequestId(
    {
      type: 'subscribe',
      status: ok === results.length ? 'success' : ok > 0 ? 'partial' : 'error',
      subscriptions: results,
      message: 'Subscription processing complete',
      broker: brokerOf(request.symbols, context),
    },
    request.requestId,
  );
};

export const unsubscribe: ActionHandler = (client, message, context) => {
  const request = parseUnsubscribe(message, context.limits);
  const { successful, failed } = context.subscriptions.unsubscribe(client.ensureSubscriptions(), request);
  return withRequestId(
    {
      type: 'unsubscribe',
      status: failed.length === 0 ? 'success' : successful.length > 0 ? 'partial' : 'error',
      message: 'Unsubscription processing complete',
      successful,
      failed,
      broker: brokerOf(request.symbols, context),
    },
    request.requestId,
  );
};

export const unsubscribeAll: ActionHandler = (client, _message, context, requestId) => {
  const successful = client.subscriptions ? context.subscriptions.unsubscribeAll(client.subscriptions) : [];
  return withRequestId(
    {
      type: 'unsubscribe',
      status: 'success',
      message: 'Unsubscription processing complete',
      successful,
      failed: [],
      broker: context.adapters.catalog.default.broker,
    },
    requestId,
  );
};

/** The broker of the request's exchange when it names one, else the default broker. */
function brokerOf(symbols: readonly { exchange: string }[], context: HandlerContext): string {
  const exchanges = new Set(symbols.map((s) => s.exchange));
  const only = exchanges.size === 1 ? context.adapters.catalog.get([...exchanges][0] ?? '') : undefined;
  return (only ?? context.adapters.catalog.default).broker;
}
