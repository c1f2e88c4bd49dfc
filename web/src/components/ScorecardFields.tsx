// The scorecard's fields: a radio group per criterion (4-point scale), per target skill (0–3),
// a note per kit question, the overall recommendation and a summary. Controlled: value/onChange.
import { RATING_NAMES, RATINGS, type Rating, SKILL_LEVELS } from "../format";
import type { Content, Kit, ProfileSkill } from "../scorecard";

interface Props {
  idPrefix: string;
  kit: Kit;
  profile: ProfileSkill[];
  value: Content;
  onChange: (next: Content) => void;
  disabled?: boolean;
}

export function ScorecardFields({ idPrefix, kit, profile, value, onChange, disabled = false }: Props) {
  const setRating = (key: string, rating: Rating) =>
    onChange({ ...value, ratings: { ...value.ratings, [key]: rating } });
  const setSkill = (key: string, level: number | null) => {
    const skills = { ...value.skills };
    if (level === null) delete skills[key];
    else skills[key] = level;
    onChange({ ...value, skills });
  };

  return (
    <div class="scorecard-fields">
      <h3>Criteria</h3>
      <p class="hint">Rate each criterion of the {kit.stage_name}. All are required to submit.</p>
      {kit.criteria.map((criterion) => (
        <RadioGroup
          key={criterion.key}
          id={`${idPrefix}-rating-${criterion.key}`}
          legend={criterion.name}
          options={RATINGS.map((r) => ({ value: r, label: RATING_NAMES[r] }))}
          selected={value.ratings[criterion.key] ?? null}
          onSelect={(r) => setRating(criterion.key, r)}
          disabled={disabled}
        />
      ))}

      <h3>Skills of the target profile</h3>
      {profile.length === 0 ? (
        <p class="hint">This requisition's profile names no skills to rate.</p>
      ) : (
        <p class="hint">Optional: rate what this interview showed, on the skills matrix scale 0–3.</p>
      )}
      <div class="skill-grid">
        {profile.map((skill) => (
          <RadioGroup
            key={skill.key}
            id={`${idPrefix}-skill-${skill.key}`}
            legend={`${skill.name} (target ${skill.target})`}
            options={[
              { value: "none", label: "Not rated" },
              ...SKILL_LEVELS.map((level) => ({ value: String(level.value), label: level.name })),
            ]}
            selected={skill.key in value.skills ? String(value.skills[skill.key]) : "none"}
            onSelect={(v) => setSkill(skill.key, v === "none" ? null : Number(v))}
            disabled={disabled}
          />
        ))}
      </div>

      {kit.questions.length > 0 && <h3>Notes on the questions</h3>}
      {kit.questions.map((question) => {
        const id = `${idPrefix}-note-${question.question_id}`;
        return (
          <div class="field" key={question.question_id}>
            <label for={id}>
              Note on question {question.position}: {question.text}
            </label>
            <textarea
              id={id}
              rows={2}
              value={value.notes[question.question_id] ?? ""}
              disabled={disabled}
              onInput={(e) =>
                onChange({ ...value, notes: { ...value.notes, [question.question_id]: e.currentTarget.value } })
              }
            />
          </div>
        );
      })}

      <h3>Overall</h3>
      <RadioGroup
        id={`${idPrefix}-recommendation`}
        legend="Overall recommendation"
        options={RATINGS.map((r) => ({ value: r, label: RATING_NAMES[r] }))}
        selected={value.recommendation}
        onSelect={(r) => onChange({ ...value, recommendation: r })}
        disabled={disabled}
      />
      <div class="field">
        <label for={`${idPrefix}-summary`}>Summary</label>
        <textarea
          id={`${idPrefix}-summary`}
          rows={4}
          value={value.summary}
          disabled={disabled}
          onInput={(e) => onChange({ ...value, summary: e.currentTarget.value })}
        />
      </div>
    </div>
  );
}

interface Option<T extends string> {
  value: T;
  label: string;
}

/** A fieldset with role radiogroup: named by its legend, each radio by its label. */
function RadioGroup<T extends string>(props: {
  id: string;
  legend: string;
  options: Option<T>[];
  selected: T | null;
  onSelect: (value: T) => void;
  disabled: boolean;
}) {
  return (
    <fieldset class="radio-group" role="radiogroup" aria-labelledby={`${props.id}-legend`}>
      <legend id={`${props.id}-legend`}>{props.legend}</legend>
      <div class="radio-options">
        {props.options.map((option) => {
          const id = `${props.id}-${option.value}`;
          return (
            <span class="radio" key={option.value}>
              <input
                type="radio"
                id={id}
                name={props.id}
                value={option.value}
                checked={props.selected === option.value}
                disabled={props.disabled}
                onChange={() => props.onSelect(option.value)}
              />
              <label for={id}>{option.label}</label>
            </span>
          );
        })}
      </div>
    </fieldset>
  );
}
