import { adapterConformance } from '../../core/test/adapter-conformance.js';
import { openAIAgentsDriver } from '../test/conformance-driver.js';

// The core's adapter conformance suite, run on the OpenAI Agents SDK (run, RunState).
adapterConformance(() => openAIAgentsDriver());
