import type { EntityManager } from 'typeorm';

/**
 * The one way a use case gets a database transaction: `run(work)` commits when `work` resolves and
 * rolls back when it throws. Repositories called inside `work` join the transaction on their own
 * (TransactionContext), so services never pass an EntityManager around. A `run` inside a `run` joins
 * the transaction already open. The implementation is the database's (src/db/async-local-transactor.ts).
 */
export abstract class Transactor {
  abstract run<T>(work: () => Promise<T>): Promise<T>;
}

/** The repositories' side of the Transactor: the transaction this call runs in, else the connection pool. */
export abstract class TransactionContext {
  abstract manager(): EntityManager;
}
