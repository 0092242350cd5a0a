export {
  type InvoiceRunReport,
  MANIFEST_URL,
  runInvoiceReconciliation,
  type StepReport,
} from './run-core.js';
export { INVOICE_STEPS, type ScriptedStep, scriptedReviewer } from './scenario.js';
export { createTools, FakeBilling } from './tools.js';
