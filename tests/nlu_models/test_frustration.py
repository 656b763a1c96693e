"""The frustration signal: sentiment over recent turns plus behaviour, and the decision."""

from __future__ import annotations

from nlu_models.frustration import FrustrationSettings, Turn, decide, intensity, trajectory

SETTINGS = FrustrationSettings()


def calm(intent: str = "order_status", text: str = "where is my order") -> Turn:
    return Turn(text=text, intent=intent, negative=0.02, positive=0.1)


def test_heated_wording_is_measured_not_guessed():
    assert intensity("where is my order") == 0.0
    assert intensity("THIS IS THE THIRD TIME I ASK") == 1.0  # shouting + "third time"
    assert intensity("useless bot") == 0.5
    assert intensity("really??") == 0.5
    assert intensity("OK") == 0.0  # too short to be shouting


def test_one_mildly_negative_message_about_a_task_does_not_escalate():
    sad = Turn("sad the shoes didn't fit, how do I return them?", "return_item", negative=0.9)
    assert not decide([sad], SETTINGS).escalate


def test_third_time_useless_bot_escalates_at_once():
    angry = Turn("third time I ask, useless bot", "complaint", negative=0.97)
    decision = decide([angry], SETTINGS)
    assert decision.escalate and decision.reason == "frustration"


def test_asking_for_a_person_escalates_whatever_the_mood():
    ask = Turn("can I talk to a human please", "request_human", negative=0.0, positive=0.3)
    assert decide([calm(), ask], SETTINGS).reason == "asked for a person"


def test_repeated_fallbacks_and_failed_verification_build_up_and_then_fade():
    lost = Turn("that's not what I asked", "nlu_fallback", negative=0.6)
    failed = Turn("123456 maria@example.com", "inform", negative=0.0, verification_failed=True)
    building = trajectory([lost, failed, lost, lost], SETTINGS)
    assert building == sorted(building)  # every turn adds
    assert decide([lost, failed, lost, lost], SETTINGS).escalate
    fine = [calm("shipping_info"), calm("product_search"), calm("payment_methods")]
    fading = trajectory([lost, *fine], SETTINGS)
    assert fading[-1] < fading[0] / 2


def test_the_same_request_again_counts_but_small_talk_repeated_does_not():
    again = trajectory([calm(), calm()], SETTINGS)
    alone = max(0.0, trajectory([calm()], SETTINGS)[0])
    assert again[1] - SETTINGS.decay * again[0] >= alone + SETTINGS.repeat_weight - 0.05
    thanks = Turn("thanks", "thank", negative=0.0)
    assert trajectory([thanks, thanks], SETTINGS)[1] <= again[1]


def test_positive_messages_calm_things_down():
    upset = Turn("this is annoying", "complaint", negative=0.9)
    happy = Turn("ah great, that worked, thank you!", "thank", negative=0.0, positive=0.95)
    assert trajectory([upset, happy], SETTINGS)[1] < trajectory([upset], SETTINGS)[0] * 0.5


def test_being_told_it_misunderstood_counts_like_a_fallback():
    plain = Turn("no, the other one", "deny", negative=0.5)
    told = Turn("no, that's not what I asked", "deny", negative=0.5)
    difference = trajectory([told], SETTINGS)[0] - trajectory([plain], SETTINGS)[0]
    assert abs(difference - SETTINGS.fallback_weight) < 1e-3


def test_a_threat_only_a_person_can_handle_escalates_quickly():
    charged = Turn("you charged me twice", "payment_problem", negative=0.9)
    threat = Turn("I'm filing a chargeback with my bank", "feedback", negative=0.75)
    calm_note = Turn("I'll check with my bank", "feedback", negative=0.75)
    assert decide([charged, threat], SETTINGS).escalate
    assert not decide([charged, calm_note], SETTINGS).escalate
