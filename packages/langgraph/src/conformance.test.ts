import { adapterConformance } from '../../core/test/adapter-conformance.js';
import { langGraphDriver } from '../test/conformance-driver.js';

// The core's adapter conformance suite, run on LangGraph (createAgent).
adapterConformance(() => langGraphDriver());
