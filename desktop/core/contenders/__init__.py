"""What a contender is, gets and gives: the streaming interface (`base.Contender`), the request
(`params`), what comes back (`answer`), thinking split from the text (`thinking`), the reasoning
setting (`reasoning`), what an answer cost (`prices`), names in an answer that give a blind battle
away (`identity`), the blind rule for what of an answer may be shown (`disclosure`), an answer's
measurements as one line (`metrics`), and the four votes' codes and words (`choices`).

May import: base. Imported by every part that runs, stores or shows an answer.
"""
