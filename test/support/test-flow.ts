/** The definition the execution tests run: the shipped smoke variant of dataset-build. */
export { datasetSmoke as testFlow } from '../../state-machines/definitions/dataset-smoke.js';
