//! A signing key's life, decided from the times stored with it and `now`, so every instance
//! reaches the same answer at the same moment: **next** (published, not signing) →
//! **current** (signing) → **previous** (published, not signing) → **retired** (gone).
//! Pure: no clock, no database.

/// The times a key carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyTimes {
    /// Unique and increasing: the order keys were prepared in, and the guard that lets only
    /// one instance prepare the next key.
    pub generation: i64,
    pub publish_at: i64,
    pub sign_at: i64,
    /// When it leaves the JWKS, once a newer key signs and its tokens have expired.
    pub retire_at: Option<i64>,
    /// An emergency removal by an administrator.
    pub retired_at: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyState {
    /// Stored, not yet published.
    Prepared,
    Next,
    Current,
    Previous,
    Retired,
}

impl KeyState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Prepared => "prepared",
            Self::Next => "next",
            Self::Current => "current",
            Self::Previous => "previous",
            Self::Retired => "retired",
        }
    }

    /// In the JWKS: relying parties may verify with it.
    pub fn is_published(self) -> bool {
        matches!(self, Self::Next | Self::Current | Self::Previous)
    }
}

fn is_retired(key: &KeyTimes, now: i64) -> bool {
    key.retired_at.is_some_and(|t| t <= now) || key.retire_at.is_some_and(|t| t <= now)
}

/// The key that signs at `now`: the newest one whose signing time has come, not retired.
pub fn current(keys: &[KeyTimes], now: i64) -> Option<usize> {
    keys.iter()
        .enumerate()
        .filter(|(_, k)| k.sign_at <= now && !is_retired(k, now))
        .max_by_key(|(_, k)| (k.sign_at, k.generation))
        .map(|(index, _)| index)
}

pub fn state(keys: &[KeyTimes], index: usize, now: i64) -> KeyState {
    let Some(key) = keys.get(index) else {
        return KeyState::Retired;
    };
    if is_retired(key, now) {
        KeyState::Retired
    } else if current(keys, now) == Some(index) {
        KeyState::Current
    } else if key.sign_at <= now {
        KeyState::Previous
    } else if key.publish_at <= now {
        KeyState::Next
    } else {
        KeyState::Prepared
    }
}

/// The next moment any key's state changes after `now` (to re-check the set then).
pub fn next_change(keys: &[KeyTimes], now: i64) -> Option<i64> {
    keys.iter()
        .flat_map(|k| {
            [
                Some(k.publish_at),
                Some(k.sign_at),
                k.retire_at,
                k.retired_at,
            ]
        })
        .flatten()
        .filter(|t| *t > now)
        .min()
}

/// When the signing key changes next: the earliest signing time still to come.
pub fn next_switch(keys: &[KeyTimes], now: i64) -> Option<i64> {
    keys.iter()
        .filter(|k| k.sign_at > now && k.retired_at.is_none())
        .map(|k| k.sign_at)
        .min()
}

/// What retiring key `index` by hand at `now` would do to signing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retirement {
    /// It does not sign now: signing goes on as before.
    NotSigning,
    /// It signs now, and this newer, published key takes over at once.
    HandOver(usize),
    /// It signs now and no newer published key can take over: signing would fall back to an
    /// older key (one that may be the very reason for a rotation), or to none.
    NoSuccessor,
}

/// Retiring the key that signs needs a successor relying parties can already verify: the
/// newer published key due to sign first. A key not yet published cannot take over.
pub fn retirement(keys: &[KeyTimes], index: usize, now: i64) -> Retirement {
    let Some(key) = keys
        .get(index)
        .filter(|_| current(keys, now) == Some(index))
    else {
        return Retirement::NotSigning;
    };
    keys.iter()
        .enumerate()
        .filter(|(_, k)| k.generation > key.generation)
        .filter(|(_, k)| k.publish_at <= now && !is_retired(k, now))
        .min_by_key(|(_, k)| (k.sign_at, k.generation))
        .map_or(Retirement::NoSuccessor, |(i, _)| Retirement::HandOver(i))
}

/// How keys rotate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    /// Seconds a key signs before the next one takes over; 0: only by hand.
    pub rotation_interval: i64,
    /// Seconds a new key is published before it signs (longer than any JWKS cache).
    pub prepublish: i64,
}

/// The times of a key to prepare now, when one is due: no key signs yet (the first key
/// signs at once), or the current key's interval ends within the prepublish period and no
/// successor is waiting.
pub fn due(keys: &[KeyTimes], now: i64, schedule: Schedule) -> Option<(i64, i64)> {
    let Some(current) = current(keys, now).and_then(|i| keys.get(i)) else {
        return Some((now, now));
    };
    if schedule.rotation_interval <= 0 || next_switch(keys, now).is_some() {
        return None;
    }
    let switch_at = current.sign_at.saturating_add(schedule.rotation_interval);
    (switch_at.saturating_sub(schedule.prepublish) <= now)
        .then(|| (now, switch_at.max(now.saturating_add(schedule.prepublish))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(generation: i64, publish_at: i64, sign_at: i64) -> KeyTimes {
        KeyTimes {
            generation,
            publish_at,
            sign_at,
            retire_at: None,
            retired_at: None,
        }
    }

    #[test]
    fn a_key_is_next_then_current_then_previous_then_retired() {
        let mut keys = vec![key(1, 0, 0), key(2, 100, 200)];
        keys[0].retire_at = Some(500);
        let states = |now| (state(&keys, 0, now), state(&keys, 1, now));
        assert_eq!(states(50), (KeyState::Current, KeyState::Prepared));
        assert_eq!(states(100), (KeyState::Current, KeyState::Next));
        assert_eq!(states(199), (KeyState::Current, KeyState::Next));
        assert_eq!(states(200), (KeyState::Previous, KeyState::Current));
        assert_eq!(states(500), (KeyState::Retired, KeyState::Current));
        assert_eq!(next_switch(&keys, 150), Some(200));
        assert_eq!(next_change(&keys, 150), Some(200));
        assert_eq!(next_change(&keys, 200), Some(500));
    }

    #[test]
    fn a_retired_key_never_signs() {
        let mut keys = vec![key(1, 0, 0), key(2, 10, 10)];
        keys[1].retired_at = Some(20);
        assert_eq!(current(&keys, 15), Some(1));
        assert_eq!(current(&keys, 20), Some(0));
    }

    #[test]
    fn the_signing_key_retires_only_into_the_hands_of_a_newer_published_key() {
        // 0 previous, 1 current, 2 next (published), 3 prepared (not published yet).
        let keys = vec![
            key(1, 0, 0),
            key(2, 10, 10),
            key(3, 20, 100),
            key(4, 500, 600),
        ];
        assert_eq!(retirement(&keys, 0, 50), Retirement::NotSigning);
        assert_eq!(retirement(&keys, 2, 50), Retirement::NotSigning);
        assert_eq!(retirement(&keys, 1, 50), Retirement::HandOver(2));
        assert_eq!(
            retirement(&keys, 1, 15),
            Retirement::NoSuccessor,
            "2 unpublished"
        );
        let no_next = &keys[..2];
        assert_eq!(
            retirement(no_next, 1, 50),
            Retirement::NoSuccessor,
            "the older key 0 must not sign again"
        );
    }

    #[test]
    fn rotation_is_due_once_the_interval_nears_its_end_and_nothing_waits() {
        let schedule = Schedule {
            rotation_interval: 1000,
            prepublish: 100,
        };
        assert_eq!(
            due(&[], 5, schedule),
            Some((5, 5)),
            "the first key signs at once"
        );
        let keys = vec![key(1, 0, 0)];
        assert_eq!(due(&keys, 899, schedule), None);
        assert_eq!(due(&keys, 900, schedule), Some((900, 1000)));
        // Late (the instances were down): still a full prepublish period.
        assert_eq!(due(&keys, 5000, schedule), Some((5000, 5100)));
        let waiting = vec![key(1, 0, 0), key(2, 900, 1000)];
        assert_eq!(due(&waiting, 950, schedule), None);
        let by_hand = Schedule {
            rotation_interval: 0,
            ..schedule
        };
        assert_eq!(due(&keys, 5000, by_hand), None);
    }
}
