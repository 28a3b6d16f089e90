import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';

/**
 * An entity from a raw row (`RETURNING *`), each column converted as TypeORM converts what it reads: saves
 * reading back a row just written. Relations are not loaded (as with `findOneBy`).
 */
export function hydrate<T extends ObjectLiteral>(
  dataSource: DataSource,
  target: EntityTarget<T>,
  row: Record<string, unknown>,
): T {
  const metadata = dataSource.getMetadata(target);
  const entity = metadata.create() as T;
  for (const column of metadata.columns) {
    if (!(column.databaseName in row)) continue;
    column.setEntityValue(
      entity,
      dataSource.driver.prepareHydratedValue(row[column.databaseName], column),
    );
  }
  return entity;
}
