// Check runs as GitHub takes them: at most 50 annotations per request, the output with each.
export interface CheckAnnotation {
  path: string;
  line: number;
  level: 'failure' | 'warning' | 'notice';
  title?: string;
  message: string;
}

export interface CheckRunResult {
  status: 'queued' | 'in_progress' | 'completed';
  conclusion?: 'success' | 'failure' | 'neutral' | 'action_required';
  title: string;
  summary: string;
  annotations: CheckAnnotation[];
}

/** GitHub takes at most 50 annotations per create or update request; more are added by updates. */
export const ANNOTATIONS_PER_REQUEST = 50;

/** Annotations in requests of at most 50; `atLeastOne`: an update with none still sends the output. */
export function batches(annotations: CheckAnnotation[], atLeastOne = false): CheckAnnotation[][] {
  const out: CheckAnnotation[][] = [];
  for (let i = 0; i < annotations.length; i += ANNOTATIONS_PER_REQUEST) out.push(annotations.slice(i, i + ANNOTATIONS_PER_REQUEST));
  return out.length === 0 && atLeastOne ? [[]] : out;
}

export function checkFields(result: CheckRunResult, annotations: CheckAnnotation[]) {
  return {
    status: result.status,
    ...(result.conclusion ? { conclusion: result.conclusion, completed_at: new Date().toISOString() } : {}),
    output: {
      title: result.title,
      summary: result.summary,
      annotations: annotations.map((a) => ({ path: a.path, start_line: a.line, end_line: a.line, annotation_level: a.level, message: a.message, ...(a.title ? { title: a.title } : {}) })),
    },
  };
}
