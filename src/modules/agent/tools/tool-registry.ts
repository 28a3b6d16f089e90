import { Injectable, Logger } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import { z } from 'zod';
import { AppConfig } from '../../../config/app-config';
import { TOOL_CALLS } from '../agent.metrics';
import type { ToolCall, ToolSpec } from '../llm/language-model';
import { AgentTool, ToolContext, ToolError, ToolOutcome } from './agent-tool';
import { CalculatorTool } from './calculator/calculator.tool';
import { EndCallTool } from './end-call.tool';
import { KnowledgeSearchTool } from './knowledge-search.tool';
import { RememberTool } from './remember.tool';
import { TransferToHumanTool } from './transfer-to-human.tool';
import { WebSearchTool } from './web-search/web-search.tool';

export type ToolResult =
  | { ok: true; name: string; outcome: ToolOutcome; durationMs: number }
  | {
      ok: false;
      name: string;
      code: string;
      message: string;
      fallback: string;
      durationMs: number;
    };

/**
 * Every tool an agent can be given, with the rules that hold for all of them: an agent is offered only the
 * tools it enables that can run here, arguments are validated against the tool's schema, and a call that
 * throws or outlives AGENT_TOOL_TIMEOUT_MS becomes a failure with a code and a fallback line, never a crash.
 */
@Injectable()
export class ToolRegistry {
  private readonly logger = new Logger('Tools');
  private readonly tools: ReadonlyMap<string, AgentTool<unknown>>;
  private readonly specs = new Map<string, ToolSpec>();

  constructor(
    private readonly config: AppConfig,
    @InjectMetric(TOOL_CALLS) private readonly calls: Counter<string>,
    calculator: CalculatorTool,
    knowledgeSearch: KnowledgeSearchTool,
    remember: RememberTool,
    transfer: TransferToHumanTool,
    endCall: EndCallTool,
    webSearch: WebSearchTool,
  ) {
    const all: AgentTool<unknown>[] = [
      calculator,
      knowledgeSearch,
      remember,
      transfer,
      endCall,
      webSearch,
    ];
    this.tools = new Map(all.map((tool) => [tool.name, tool]));
    for (const tool of this.tools.values()) {
      const { $schema: _ignored, ...parameters } = z.toJSONSchema(tool.parameters, { io: 'input' });
      this.specs.set(tool.name, { name: tool.name, description: tool.description, parameters });
    }
  }

  /** The tools offered in this conversation: enabled on the agent and able to run for it. */
  offered(context: Omit<ToolContext, 'signal'>): ToolSpec[] {
    return context.agent.toolsEnabled
      .map((name) => this.tools.get(name))
      .filter((tool): tool is AgentTool<unknown> => tool !== undefined && tool.available(context))
      .map((tool) => this.specs.get(tool.name)!);
  }

  fallbackOf(name: string): string {
    return this.tools.get(name)?.fallback ?? "I'm sorry, I couldn't do that just now.";
  }

  async execute(
    call: ToolCall,
    context: ToolContext,
    offered: readonly ToolSpec[],
  ): Promise<ToolResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const fail = (code: string, message: string): ToolResult => {
      this.calls.inc({ tool: call.name, outcome: outcomeLabel(code) });
      this.logger.warn(`Tool ${call.name} failed (${code}): ${message}`);
      return {
        ok: false,
        name: call.name,
        code,
        message,
        fallback: this.fallbackOf(call.name),
        durationMs: elapsed(),
      };
    };
    const tool = this.tools.get(call.name);
    if (!tool || !offered.some((spec) => spec.name === call.name)) {
      return fail('TOOL_UNAVAILABLE', `${call.name} is not a tool this agent can use here`);
    }
    let args: unknown;
    try {
      args = tool.parameters.parse(call.arguments.trim() ? JSON.parse(call.arguments) : {});
    } catch (error) {
      const detail =
        error instanceof z.ZodError ? z.prettifyError(error) : (error as Error).message;
      return fail('TOOL_INVALID_ARGUMENTS', detail.replace(/\s+/g, ' '));
    }
    const controller = new AbortController();
    const onAbort = () => controller.abort(context.signal.reason);
    // An abort listener added to a signal already aborted never runs.
    if (context.signal.aborted) onAbort();
    else context.signal.addEventListener('abort', onAbort, { once: true });
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeoutMs = this.config.agent.toolTimeoutMs;
      const outcome = await Promise.race([
        tool.run(args, { ...context, signal: controller.signal }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            controller.abort(new Error('tool timed out'));
            reject(new ToolError('TOOL_TIMEOUT', `${call.name} took longer than ${timeoutMs} ms`));
          }, timeoutMs);
        }),
      ]);
      this.calls.inc({ tool: call.name, outcome: 'ok' });
      return { ok: true, name: call.name, outcome, durationMs: elapsed() };
    } catch (error) {
      const code =
        error instanceof ToolError
          ? error.code
          : (((error as { code?: unknown }).code as string | undefined) ?? 'TOOL_FAILED');
      return fail(typeof code === 'string' ? code : 'TOOL_FAILED', (error as Error).message);
    } finally {
      clearTimeout(timer);
      context.signal.removeEventListener('abort', onAbort);
    }
  }
}

function outcomeLabel(code: string): string {
  if (code === 'TOOL_TIMEOUT') return 'timeout';
  if (code === 'TOOL_INVALID_ARGUMENTS') return 'invalid_arguments';
  if (code === 'TOOL_UNAVAILABLE') return 'unavailable';
  return 'failed';
}
