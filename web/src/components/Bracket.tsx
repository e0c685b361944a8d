import type { Round } from '../api';
import { HotkeyLink } from './common';

interface Props {
  rounds: Round[];
  hotkeyOf: (entrantId: string) => string | null;
}

function Member({ id, round, hotkeyOf }: { id: string; round: Round; hotkeyOf: Props['hotkeyOf'] }) {
  const decided = round.state === 'decided';
  const advanced = round.advancing?.includes(id) ?? false;
  const cls = !decided ? '' : advanced ? 'advanced' : 'out';
  return (
    <li className={cls} title={decided ? (advanced ? 'advances' : 'does not advance') : 'playing'}>
      <HotkeyLink hotkey={hotkeyOf(id)} />
    </li>
  );
}

/** The bracket as it was drawn: one column per round, groups or pairs in slot order, then the boss match. */
export function Bracket({ rounds, hotkeyOf }: Props) {
  if (rounds.length === 0) return <p className="muted">The bracket is drawn when registration closes.</p>;
  return (
    <div className="bracket" data-testid="bracket">
      {rounds.map((round) => {
        const plan = round.decision?.plan;
        return (
          <div key={round.id} className="bracket-round">
            <h3>
              Round {round.index + 1} · {round.kind}
            </h3>
            {plan?.kind === 'group' &&
              plan.groups.map((g) => (
                <div key={g.slot} className="match">
                  <div className="muted small">
                    group {g.slot + 1} · top {plan.advancePerGroup} go on
                  </div>
                  <ul>
                    {g.entrants.map((id) => (
                      <Member key={id} id={id} round={round} hotkeyOf={hotkeyOf} />
                    ))}
                  </ul>
                </div>
              ))}
            {plan?.kind === 'knockout' &&
              plan.pairs.map((p) => (
                <div key={p.slot} className="match pair">
                  <div className="muted small">
                    pair {p.slot + 1}
                    {p.withChampion ? ' · against the champion' : ''}
                  </div>
                  <ul>
                    {p.entrants.map((id) => (
                      <Member key={id} id={id} round={round} hotkeyOf={hotkeyOf} />
                    ))}
                  </ul>
                </div>
              ))}
            {plan?.kind === 'boss' && (
              <div className="match boss">
                <div className="muted small">
                  boss · {plan.tasks} tasks
                  {round.decision?.verdict ? ` · ${round.decision.verdict.challengerWins ? 'challenger wins' : 'champion defends'}` : ''}
                </div>
                <ul>
                  <li className={round.decision?.verdict ? (round.decision.verdict.challengerWins ? 'out' : 'advanced') : ''}>
                    champion <HotkeyLink hotkey={hotkeyOf(plan.champion)} />
                  </li>
                  <li className={round.decision?.verdict ? (round.decision.verdict.challengerWins ? 'advanced' : 'out') : ''}>
                    challenger <HotkeyLink hotkey={hotkeyOf(plan.challenger)} />
                  </li>
                </ul>
              </div>
            )}
          </div>
        );
      })}
    </div>
  );
}
