/** What gets published for a tournament winner. */
export interface PublishRequest {
  /** Where to fetch the winner's code from (the miner's repo or a local mirror). */
  sourceRepoUrl: string;
  /** The pinned 40-hex commit; pushed unchanged as the target repo's `main`. */
  commitSha: string;
  /** Target repository name inside the organisers' org (one per tournament winner). */
  targetRepo: string;
  /** Tag name, derived from the tournament (e.g. "text-cycle-12"). */
  tag: string;
  /** RESULTS.md content (scores, hashes, rulebook version). */
  resultsMarkdown: string;
  /** Fixed date for the results commit and the tag, so re-publishing yields identical objects. */
  at: Date;
}

export interface PublishResult {
  repoUrl: string;
  tag: string;
  commitSha: string;
  resultsCommitSha: string;
  /** False when every ref already held these exact objects: nothing was pushed. */
  changed: boolean;
  createdRepo: boolean;
}

/** Publishes a winner's repository; idempotent. */
export abstract class Publisher {
  abstract publish(req: PublishRequest): Promise<PublishResult>;
}
