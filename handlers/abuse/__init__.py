"""Spam and abuse: warnings on feedback that may be spam or rude (`flags`, from `profanity` and
`spam`), and the mute an official sets on an abusive sender (`muting`, the sender's side;
handlers/officials/mute.py, the officials' side). Nothing is ever dropped: officials decide."""
