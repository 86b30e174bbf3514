import * as z from 'zod/mini';

/** What a `report` workflow takes as `metadata`: checked at create (400 naming the field), defaults filled in. */
export const ReportParameters = z
  .strictObject({
    report: z.prefault(
      z.strictObject({
        title: z._default(z.string().check(z.minLength(1), z.maxLength(80)), 'Daily report'),
        rows: z._default(z.int().check(z.minimum(1), z.maximum(10_000)), 100),
      }),
      {},
    ),
  })
  .check(z.meta({ id: 'ReportParameters' }));
