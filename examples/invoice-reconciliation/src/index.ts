export { ScriptedChatModel } from '@orbit-agents/example-support/scripted-model';
export {
  type InvoiceRunReport,
  MANIFEST_URL,
  runInvoiceReconciliation,
  type StepReport,
} from './run-core.js';
export {
  defaultInvoiceModel,
  INVOICE_SYSTEM_PROMPT,
  INVOICE_TASK,
  type LangGraphInvoiceRunReport,
  reviewInterrupt,
  runInvoiceReconciliationOnLangGraph,
  scriptedInvoiceModel,
} from './run-langgraph.js';
export { INVOICE_STEPS, type ScriptedStep, scriptedReviewer } from './scenario.js';
export { createTools, FakeBilling } from './tools.js';
