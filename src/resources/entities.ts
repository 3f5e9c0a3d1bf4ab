import * as z from 'zod/mini';
import type { APIPromise } from '../core/api-promise';
import type { RequestOptions } from '../core/request-options';
import { checkRequestOptions } from '../internal/args';
import { many } from '../internal/validate';
import { Resource, unwrapList } from './shared';

/** A bank or custodian Flanks can connect to; its `id` is the Link URL's `bank` parameter. */
export const EntitySchema = z.looseObject({
  /** Required: it is the value `links.buildUrl({ bank })` takes; an entity without it cannot be used. */
  id: z.string(),
  name: z.optional(z.nullable(z.string())),
  country: z.optional(z.nullable(z.string())),
  logo_url: z.optional(z.nullable(z.string())),
});
/** A bank or custodian, the type of {@link EntitySchema}. */
export type Entity = z.infer<typeof EntitySchema>;

/**
 * The Entities API: which banks your users can connect.
 * @example const url = flanks.links.buildUrl({ token, userId, bank: (await flanks.entities.list())[0].id });
 * @see https://docs.flanks.io/pages/flanks-apis/entities-api/
 */
export class Entities extends Resource {
  /**
   * Lists the available entities (`GET /v0/bank/available`).
   * @example const spanish = (await flanks.entities.list()).filter((e) => e.country === 'ES');
   */
  list(options?: RequestOptions): APIPromise<Entity[]> {
    return this.call(async (call) => {
      const { data } = await call.request({
        method: 'GET',
        path: '/v0/bank/available',
        idempotent: true,
        response: many('Entity', EntitySchema),
        unwrap: unwrapList,
        options: checkRequestOptions(options),
      });
      return data;
    });
  }
}
