export type { Backbone, BackboneFactory, BackboneOptions, ImageShape } from './backbone.js';
