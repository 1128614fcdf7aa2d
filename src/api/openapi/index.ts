export { createOpenApiDocuments, type OpenApiBody, type OpenApiDocuments, type OpenApiGroup } from './documents.js';
