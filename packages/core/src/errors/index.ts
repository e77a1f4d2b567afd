export * from './codes.js';
export * from './filter-errors.js';
