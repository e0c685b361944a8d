import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { TransactionContext, Transactor } from '../common/transactor';

/**
 * Transactor and TransactionContext in one: the open transaction's EntityManager is kept in
 * AsyncLocalStorage for the duration of `run`, so every repository call awaited inside it (however
 * deep) reads and writes through that transaction, and calls outside it use the pool.
 */
@Injectable()
export class AsyncLocalTransactor extends Transactor implements TransactionContext {
  private readonly current = new AsyncLocalStorage<EntityManager>();

  constructor(private readonly ds: DataSource) {
    super();
  }

  run<T>(work: () => Promise<T>): Promise<T> {
    if (this.current.getStore()) return work();
    return this.ds.transaction((manager) => this.current.run(manager, work));
  }

  manager(): EntityManager {
    return this.current.getStore() ?? this.ds.manager;
  }
}
