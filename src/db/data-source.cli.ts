import { DataSource } from 'typeorm';
import { loadConfig } from '../config/app-config';
import { dataSourceOptions } from './data-source';

/** For the TypeORM CLI (`npm run migration:generate -- migrations/Name`). */
export default new DataSource(dataSourceOptions(loadConfig().database));
