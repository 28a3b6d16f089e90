import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { AgentTool, ToolError, ToolOutcome } from '../agent-tool';
import { evaluateExpression, ExpressionError, formatNumber } from './expression';

const parameters = z.object({
  expression: z
    .string()
    .min(1)
    .max(200)
    .describe('An arithmetic expression, e.g. "12 * 34" or "sqrt(2) + 15 / 100 * 80"'),
});

/** Arithmetic the model should not do in its head: a safe parser, never eval. */
@Injectable()
export class CalculatorTool implements AgentTool<z.infer<typeof parameters>> {
  readonly name = 'calculator';
  readonly description =
    'Evaluates an arithmetic expression exactly (+ - * / ^ %, parentheses, sqrt, abs, round, min, max, pi).';
  readonly parameters = parameters;
  readonly fallback = "I'm sorry, I couldn't work that out.";

  available(): boolean {
    return true;
  }

  run({ expression }: z.infer<typeof parameters>): Promise<ToolOutcome> {
    try {
      const result = formatNumber(evaluateExpression(expression));
      return Promise.resolve({ content: JSON.stringify({ expression, result }) });
    } catch (error) {
      if (error instanceof ExpressionError)
        throw new ToolError('CALCULATOR_INVALID_EXPRESSION', error.message);
      throw error;
    }
  }
}
