import { adapterConformance } from '../../core/test/adapter-conformance.js';
import { vercelAiDriver } from '../test/conformance-driver.js';

// The core's adapter conformance suite, run on the Vercel AI SDK (generateText).
adapterConformance(() => vercelAiDriver());
