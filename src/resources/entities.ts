import * as z from 'zod/mini';
import type { APIPromise } from '../core/api-promise';
import type { RequestOptions } from '../core/request-options';
import { checkRequestOptions } from '../internal/args';
import { many } from '../internal/validate';
import { Resource, unwrapList } from './shared';

/**
 * A bank or custodian Flanks can connect to. Its `id` is the Link URL's `bank` parameter.
 *
 * @example
 * ```ts
 * const banks: Entity[] = await flanks.entities.list();
 * const url = flanks.links.buildUrl({ token, userId: user.id, bank: banks[0].id });
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/entities-api/
 */
export const EntitySchema = z.looseObject({
  /** Required: it is the value `links.buildUrl({ bank })` takes; an entity without it cannot be used. */
  id: z.string(),
  name: z.optional(z.nullable(z.string())),
  country: z.optional(z.nullable(z.string())),
  logo_url: z.optional(z.nullable(z.string())),
});
/**
 * A bank or custodian Flanks can connect to.
 *
 * @example
 * ```ts
 * const testbank: Entity | undefined = (await flanks.entities.list()).find((e) => e.id === 'testbank');
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/entities-api/
 */
export type Entity = z.infer<typeof EntitySchema>;

/**
 * The Entities API: which banks your users can connect.
 *
 * @example
 * ```ts
 * const entities = await flanks.entities.list();
 * ```
 * @see https://docs.flanks.io/pages/flanks-apis/entities-api/
 */
export class Entities extends Resource {
  /**
   * Lists the available entities (`GET /v0/bank/available`).
   *
   * @example
   * ```ts
   * const spanish = (await flanks.entities.list()).filter((e) => e.country === 'ES');
   * ```
   * @see https://docs.flanks.io/pages/flanks-apis/entities-api/
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
