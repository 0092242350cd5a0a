export { ScriptedAgentsModel } from '@orbit-agents/example-support/scripted-agents-model';
export { ScriptedAiModel } from '@orbit-agents/example-support/scripted-ai-model';
export { ScriptedChatModel } from '@orbit-agents/example-support/scripted-model';
export {
  type InvoiceRunReport,
  MANIFEST_URL,
  runInvoiceReconciliation,
  type StepReport,
} from './run-core.js';
export {
  defaultInvoiceModel,
  type LangGraphInvoiceRunReport,
  reviewInterrupt,
  runInvoiceReconciliationOnLangGraph,
  scriptedInvoiceModel,
} from './run-langgraph.js';
export {
  defaultInvoiceAgentsModel,
  describeAgentsModel,
  type OpenAIAgentsInvoiceRunReport,
  reviewInterruption,
  runInvoiceReconciliationOnOpenAIAgents,
  scriptedInvoiceAgentsModel,
} from './run-openai-agents.js';
export {
  defaultInvoiceAiModel,
  reviewApproval,
  runInvoiceReconciliationOnVercelAi,
  scriptedInvoiceAiModel,
  type VercelAiInvoiceRunReport,
} from './run-vercel-ai.js';
export {
  INVOICE_STEPS,
  INVOICE_SYSTEM_PROMPT,
  INVOICE_TASK,
  type ScriptedStep,
  scriptedReviewer,
} from './scenario.js';
export { createTools, FakeBilling } from './tools.js';
