// The problems serverErrors() sends, as an OpenAPI 3.1 contract.
export {
  problemComponents,
  type JsonSchema,
  type ProblemComponents,
  type ProblemComponentsOptions,
  type ProblemHeader,
  type ProblemMediaType,
  type ProblemResponse,
} from './components';
