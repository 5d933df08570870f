// tfjs-core's Node build registers no gradient functions; tfjs-layers' Node build registers all of core's (as the
// @tensorflow/tfjs union package does), and every real user who trains with these losses has it loaded.
require('@tensorflow/tfjs-layers');
